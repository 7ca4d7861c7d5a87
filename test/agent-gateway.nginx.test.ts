import { GatewayTarget } from '../lib';
import { expectNginxConfigValid } from './support/nginx-sandbox';
import { referencePlatform, STANDALONE_HOSTS } from './support/gateway-fixtures';

describe('nginx -t', () => {
  test('the reference standalone nginx.conf', () => {
    const conf = referencePlatform().gateway!.renderNginxConf(GatewayTarget.standalone());
    expectNginxConfigValid(conf, { hosts: STANDALONE_HOSTS });
  });
});
