// Format: the Compose file and Dockerfile models and their serializers.
export * from './compose-file';
export * from './dockerfile';
export * from './render-compose-file';
