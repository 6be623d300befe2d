import versionsJson from './versions.json';

/** Every image the stack deploys, keyed by component. The tags live in versions.json only. */
export type ImageKey = keyof typeof versionsJson.images;

/** A container image reference split into repository and tag. */
export interface ImageRef {
  readonly repository: string;
  readonly tag: string;
}

/** The pinned default image of a component. */
export function defaultImage(key: ImageKey): ImageRef {
  return versionsJson.images[key];
}

/** `repository:tag` of an image reference. */
export function imageString(image: ImageRef): string {
  return image.tag.startsWith('sha256:') ? `${image.repository}@${image.tag}` : `${image.repository}:${image.tag}`;
}
