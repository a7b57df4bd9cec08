import type { Connection } from 'mongoose';
import { connectionAliasSchema } from './models/connectionAlias.model.js';
import { consumptionSchema } from './models/consumption.model.js';
import { exclusionRuleSchema } from './models/exclusionRule.model.js';
import { integrationProfileSchema } from './models/integrationProfile.model.js';
import { jobRunSchema } from './models/jobRun.model.js';
import { reclamationRuleSchema } from './models/reclamationRule.model.js';
import { removalCandidateSchema } from './models/removalCandidate.model.js';
import { softwareModelSchema } from './models/softwareModel.model.js';
import { softwareSubscriptionSchema } from './models/softwareSubscription.model.js';
import { unrecognizedIdentifierSchema } from './models/unrecognizedIdentifier.model.js';

/** Every model bound to one connection (each process has its own; tests have one per database). */
export function bindModels(connection: Connection) {
  return {
    IntegrationProfile: connection.model('IntegrationProfile', integrationProfileSchema),
    ConnectionAlias: connection.model('ConnectionAlias', connectionAliasSchema),
    SoftwareModel: connection.model('SoftwareModel', softwareModelSchema),
    SoftwareSubscription: connection.model('SoftwareSubscription', softwareSubscriptionSchema),
    UnrecognizedIdentifier: connection.model('UnrecognizedIdentifier', unrecognizedIdentifierSchema),
    ExclusionRule: connection.model('ExclusionRule', exclusionRuleSchema),
    ReclamationRule: connection.model('ReclamationRule', reclamationRuleSchema),
    RemovalCandidate: connection.model('RemovalCandidate', removalCandidateSchema),
    Consumption: connection.model('Consumption', consumptionSchema),
    JobRun: connection.model('JobRun', jobRunSchema),
  };
}

export type Models = ReturnType<typeof bindModels>;

/** Creates the indexes (uniqueness is part of correctness here). Run at process start. */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.createIndexes();
}
