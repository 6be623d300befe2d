import { App } from 'cdk8s';
import { loadConfig } from './config/loader';
import { buildStack } from './stack';

const config = loadConfig();
const app = new App({ outdir: 'dist' });
buildStack(app, config);
app.synth();
