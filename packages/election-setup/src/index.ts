export { type SetupFile, type SetupLine, type SetupReject, SetupFileError, parseSetupCsv, setupKindOf } from './setup-csv';
export { type SetupImportInput, type SetupImportReport, SetupRefusedError, countsReason, importElectionSetup, setupEditable } from './import-setup';
export { validateSetup } from './validate-setup';
export { deploymentFromEnv } from './deployment';
