export * from './features';
export * from './model';
export * from './render';
export * from './version';
