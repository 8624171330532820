/** Every case list, grouped by topic, in the order the suites run them. */

import type { CaseGroup } from '../harness.ts';
import { knownDifferenceGroup } from '../known-differences.ts';
import { accessProviderCases } from './access-providers.ts';
import { basicsAndControlCases } from './basics-and-control.ts';
import { documentCases } from './documents.ts';
import { errorCases } from './errors.ts';
import { functionCases } from './functions-udf.ts';
import { identityCases } from './identity.ts';
import { indexAndSetCases } from './indexes-and-sets.ts';
import { keyAndAuthCases } from './keys-and-auth.ts';
import { logicAndCompareCases } from './logic-and-compare.ts';
import { moveDatabaseCases } from './move-database.ts';
import { moreFunctionCases } from './more-functions.ts';
import { numberCases } from './numbers.ts';
import { objectAndTypeCases } from './objects-and-types.ts';
import { paginationCases } from './pagination.ts';
import { roleCases } from './roles.ts';
import { schemaAndDatabaseCases } from './schema-and-databases.ts';
import { stringCases } from './strings.ts';
import { timeCases } from './time.ts';
import { ttlCases } from './ttl.ts';
import { writtenForFaunaCases } from './written-for-fauna.ts';

export const caseGroups: readonly CaseGroup[] = [
  { topic: 'basics and control', cases: basicsAndControlCases },
  { topic: 'strings', cases: stringCases },
  { topic: 'numbers', cases: numberCases },
  { topic: 'time', cases: timeCases },
  { topic: 'logic and comparison', cases: logicAndCompareCases },
  { topic: 'objects and types', cases: objectAndTypeCases },
  { topic: 'documents', cases: documentCases },
  { topic: 'indexes and sets', cases: indexAndSetCases },
  { topic: 'pagination', cases: paginationCases },
  { topic: 'schema and databases', cases: schemaAndDatabaseCases },
  { topic: 'functions (UDF)', cases: functionCases },
  { topic: 'keys and auth', cases: keyAndAuthCases },
  { topic: 'errors', cases: errorCases },
  { topic: 'more functions', cases: moreFunctionCases },
  { topic: 'identity and tokens', cases: identityCases },
  { topic: 'roles', cases: roleCases },
  { topic: 'document ttl', cases: ttlCases },
  { topic: 'access providers', cases: accessProviderCases },
  { topic: 'MoveDatabase', cases: moveDatabaseCases },
  { topic: 'written for Fauna', cases: writtenForFaunaCases },
  knownDifferenceGroup,
];
