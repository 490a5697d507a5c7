// Pipeline templates: the analysis classes of the genome centre, their DAGs and the cost model
// behind each task. Pure (no I/O): the live scheduler and the simulator build jobs here.
export { CLASSES, URGENT_TARGET_MS, type NgcClass, type Patients } from './classes.js';
export { ACCOUNTS_USED, LAB_OWNER, PARTITIONS, QOS, REGIONS, RESEARCH_ACCOUNT, RESEARCH_OWNER, pickAccount, type Lab } from './accounts.js';
export { HOUR_MS } from './costs.js';
export { Dag } from './dag.js';
export { Rng, hash2 } from '../../common/index.js';
export { PipelineError, type PipelineErrorCode } from './errors.js';
export { DURATION_STREAM, LABS, analysisClass, analysisJob, buildAnalysis, defaultAccount, pseudonymRange, type AnalysisRequest } from './template.js';
