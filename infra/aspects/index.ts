// The CDK Aspects kms-rotor ships for users to add to their own apps.
export { KeyRotationAspect, keyVerdict, type KeyRotationAspectOptions } from './key-rotation-aspect';
