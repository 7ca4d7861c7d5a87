import { PlatformApp } from '../lib';
import { buildReferencePlatform } from './reference-platform';

// `npm run synth` and `cdk8s synth` both run this program; it writes dist/ atomically.
const app = new PlatformApp();
buildReferencePlatform(app);
app.synth();
