// Feature: the Docker Compose target.
export * from './agent-dockerfile';
export * from './compose-stack';
export * from './compose-stack-props';
