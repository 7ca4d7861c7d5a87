// The platform: wires the features together, and the app that writes every output.
export * from './ai-agent-platform';
export * from './architecture';
export * from './platform-app';
