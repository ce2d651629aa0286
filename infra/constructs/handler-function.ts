/**
 * Every Lambda of the project, built one way: Node.js 22 on arm64, bundled as ESM by the
 * local esbuild, its own log group with JSON logs, its own role with no managed policy, and
 * an encrypted dead-letter queue for failed asynchronous invocations. Access is added with
 * the `use…` methods, each of which grants exactly what it names and sets the matching
 * environment variable, so a permission and the variable that needs it cannot drift apart.
 *
 * A function that runs the metric engine (`duckDb: true`) ships DuckDB beside the bundle:
 * esbuild cannot bundle a native addon, so `@duckdb/*` stays external and the asset gets a
 * `node_modules/` with `@duckdb/node-api`, the packages it requires at run time, and the
 * linux-arm64 native binding (scripts/fetch-duckdb-binding.ts: `npm ci` on an x64 machine
 * installs only the x64 one). DuckDB's memory limit, spill folder and threads come from the
 * function's memory (functions/adapters/engine-env.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { CfnElement, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { engineEnvironment, MIN_ENGINE_MEMORY_MB } from '../../functions/adapters/engine-env';
import { reportConfigEnvironment } from '../../functions/adapters/report-config';
import { fetchDuckDbBinding } from '../../scripts/fetch-duckdb-binding';
import { REPO_ROOT } from '../paths';
import type { StoredReportConfig } from './report-config';

export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface HandlerFunctionProps {
  /** Handler file, e.g. `functions/ingest.ts`; resolved against the repository root. */
  readonly entry: string;
  readonly description: string;
  /** Powertools `service` key in every log line. */
  readonly serviceName: string;
  /** @default 1024 */
  readonly memoryMb?: number;
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /**
   * Lambda's own retries of a failed asynchronous invocation before the event goes to the
   * dead-letter queue.
   * @default 2
   */
  readonly retryAttempts?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Extra environment variables (the `use…` methods add their own). @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The function runs the DuckDB engine: ship DuckDB and its linux-arm64 binding in the
   * asset, and set DuckDB's memory limit, spill folder and threads from `memoryMb`, which
   * must then be at least 512.
   * @default false
   */
  readonly duckDb?: boolean;
  /**
   * Ephemeral storage (/tmp) in MiB, 512 to 10240. The engine copies each export there
   * while DuckDB reads it (one at a time, removed after) and DuckDB spills there when a query
   * outgrows its memory limit, so this bounds the largest export plus the spill.
   * @default 2048
   */
  readonly ephemeralStorageMb?: number;
}

/** Which S3 key prefixes (each ending in `/`) a function may touch, and how. */
export interface BucketAccess {
  /**
   * s3:GetObject on every key under these prefixes: GetObject, HeadObject, and the source
   * side of CopyObject. The adapters never address an object version, so no GetObjectVersion.
   * @default - none
   */
  readonly read?: readonly string[];
  /**
   * s3:ListBucket restricted to these prefixes with an `s3:prefix` condition, or `'bucket'`
   * for the whole bucket. S3 answers a GetObject/HeadObject of a missing key with 404 only to
   * a caller allowed to list the bucket, and 403 Access Denied otherwise; the `s3:prefix` key
   * exists only in List requests, so a prefix-scoped grant cannot be relied on for that. A
   * function that must tell "not there" from "not allowed" needs `'bucket'`.
   * @default - none
   */
  readonly list?: readonly string[] | 'bucket';
  /** s3:PutObject (and AbortMultipartUpload) under these prefixes. @default - none */
  readonly write?: readonly string[];
}

/**
 * The DynamoDB actions of the snapshot store and send ledger (functions/adapters/dynamodb.ts):
 * Get/Put/Update/Query, and Delete for releasing an unsent claim. No scans, no batch or
 * transaction calls, no table-level actions.
 */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

const APPLICATION_LOG_LEVELS: Record<PowertoolsLogLevel, lambda.ApplicationLogLevel> = {
  DEBUG: lambda.ApplicationLogLevel.DEBUG,
  INFO: lambda.ApplicationLogLevel.INFO,
  WARN: lambda.ApplicationLogLevel.WARN,
  ERROR: lambda.ApplicationLogLevel.ERROR,
};

// Lambda refuses a function whose environment (keys + values) exceeds 4 KB.
const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
// A token (bucket or table name) resolves to at most a 255-character name.
const TOKEN_ALLOWANCE_BYTES = 255;

/** The package whose folder, with its run-time dependencies, a DuckDB function ships. */
const DUCKDB_PACKAGE = '@duckdb/node-api';
/** Where @duckdb/node-bindings loads the binding from on Lambda (linux, arm64, glibc). */
const DUCKDB_BINDING_PACKAGE = '@duckdb/node-bindings-linux-arm64';

/**
 * The folders (relative to the repository) of `name` and of every package it depends on,
 * resolved the way Node does (nested node_modules first, then each parent's). Optional
 * dependencies are the per-platform bindings: the one Lambda loads is added separately.
 */
function runtimePackageFolders(name: string, root = REPO_ROOT): string[] {
  const found = new Set<string>();
  const visit = (pkg: string, from: string) => {
    let folder: string | undefined;
    for (let dir = from; ; dir = posix.dirname(dir)) {
      const candidate = posix.join(dir, 'node_modules', pkg);
      if (existsSync(join(root, candidate, 'package.json'))) {
        folder = candidate;
        break;
      }
      if (dir === '.' || dir === '/' || dir === '') break;
    }
    if (folder === undefined) {
      throw new Error(
        `HandlerFunction: cannot find the package ${pkg} (needed by ${DUCKDB_PACKAGE}) under ${root}/node_modules; run "npm ci"`,
      );
    }
    if (found.has(folder)) return;
    found.add(folder);
    const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, folder);
  };
  visit(name, '.');
  // A package nested inside another one's folder is copied with it.
  const folders = [...found].sort();
  return folders.filter((f) => !folders.some((g) => g !== f && f.startsWith(`${g}/`)));
}

/** A word for bash, quoted. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The afterBundling commands that put DuckDB into the asset: its packages from the
 * repository's node_modules, and the linux-arm64 binding from .cache (fetched first when
 * missing). Runs on the machine that bundles; `inputDir`/`outputDir` are the paths the
 * commands see.
 */
function duckDbAssetCommands(inputDir: string, outputDir: string): string[] {
  const binding = relative(REPO_ROOT, fetchDuckDbBinding(REPO_ROOT)).split('\\').join('/');
  const copies = [
    ...runtimePackageFolders(DUCKDB_PACKAGE).map((folder) => [folder, folder] as const),
    [binding, `node_modules/${DUCKDB_BINDING_PACKAGE}`] as const,
  ];
  const commands: string[] = [];
  for (const [from, to] of copies) {
    const target = posix.join(outputDir, to);
    commands.push(
      `mkdir -p ${shellQuote(posix.dirname(target))} && cp -R ${shellQuote(posix.join(inputDir, from))} ${shellQuote(target)}`,
    );
  }
  return commands;
}

function logicalIdOf(construct: Construct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) {
    throw new Error(
      `${construct.node.path} has no CloudFormation resource of this stack to reference`,
    );
  }
  return Stack.of(resource).getLogicalId(resource);
}

function assertPrefixes(prefixes: readonly string[], what: string): void {
  for (const prefix of prefixes) {
    if (!/^[a-z0-9_-]+(\/[a-z0-9_-]+)*\/$/.test(prefix)) {
      throw new Error(
        `HandlerFunction: ${what} prefix "${prefix}" must be a plain key prefix ending in "/", such as "exports/" (no wildcards)`,
      );
    }
  }
}

export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  private readonly environment = new Map<string, string>();

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const entry = `${REPO_ROOT}/${props.entry}`;
    if (!existsSync(entry)) {
      throw new Error(
        `HandlerFunction ${id}: entry "${props.entry}" does not exist under ${REPO_ROOT}; give the path of a handler file such as "functions/ingest.ts"`,
      );
    }
    const memoryMb = props.memoryMb ?? 1024;
    if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10240) {
      throw new Error(
        `HandlerFunction ${id}: memoryMb must be a whole number from 128 to 10240 (got ${memoryMb})`,
      );
    }
    const timeout = props.timeout ?? Duration.minutes(5);
    if (timeout.toSeconds() < 1 || timeout.toSeconds() > 900) {
      throw new Error(
        `HandlerFunction ${id}: timeout must be 1 to 900 seconds (got ${timeout.toSeconds()})`,
      );
    }
    const ephemeralStorageMb = props.ephemeralStorageMb ?? 2048;
    if (
      !Number.isInteger(ephemeralStorageMb) ||
      ephemeralStorageMb < 512 ||
      ephemeralStorageMb > 10240
    ) {
      throw new Error(
        `HandlerFunction ${id}: ephemeralStorageMb must be a whole number from 512 to 10240 (got ${ephemeralStorageMb})`,
      );
    }
    const duckDb = props.duckDb ?? false;
    if (duckDb && memoryMb < MIN_ENGINE_MEMORY_MB) {
      throw new Error(
        `HandlerFunction ${id}: a function running the DuckDB engine needs memoryMb of at least ${MIN_ENGINE_MEMORY_MB} (got ${memoryMb})`,
      );
    }
    const logLevel = props.logLevel ?? 'INFO';
    const retryAttempts = props.retryAttempts ?? 2;
    if (![0, 1, 2].includes(retryAttempts)) {
      throw new Error(
        `HandlerFunction ${id}: retryAttempts must be 0, 1 or 2 (got ${retryAttempts})`,
      );
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    // An own role instead of the default one, which attaches the AWSLambdaBasicExecutionRole
    // managed policy (logs in every log group of the account).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}/package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: memoryMb,
      ephemeralStorageSize: Size.mebibytes(ephemeralStorageMb),
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // With JSON logs Lambda sets AWS_LAMBDA_LOG_LEVEL, which Powertools lets override its
      // own level when stricter; keeping both equal makes POWERTOOLS_LOG_LEVEL the one knob.
      applicationLogLevelV2: APPLICATION_LOG_LEVELS[logLevel],
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // Some dependencies still call require(); ESM output has none unless we make one.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // Bundle the SDK instead of using the runtime's copy, so the deployed code runs the
        // SDK versions the tests ran against.
        bundleAwsSDK: true,
        // A native addon cannot be bundled: DuckDB is loaded from the asset's node_modules.
        ...(duckDb
          ? {
              externalModules: ['@duckdb/*'],
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: duckDbAssetCommands,
              },
            }
          : {}),
        minify: true,
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
      },
    });

    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the LTS runtime this project is built and tested for; moving to a newer runtime is a deliberate, tested upgrade rather than a lint fix.',
      },
    ]);

    this.setEnvironment({
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      POWERTOOLS_LOG_LEVEL: logLevel,
      NODE_OPTIONS: '--enable-source-maps',
      ...(duckDb ? engineEnvironment(memoryMb) : {}),
      ...props.environment,
    });
  }

  /** Read and write snapshots: the explicit item actions of TABLE_ACTIONS, and TABLE_NAME. */
  useTable(table: dynamodb.ITable): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...TABLE_ACTIONS], resources: [table.tableArn] }),
    );
    this.setEnvironment({ TABLE_NAME: table.tableName });
  }

  /** Grant the prefixes in `access`, and set BUCKET_NAME. */
  useBucket(bucket: s3.IBucket, access: BucketAccess): void {
    const read = access.read ?? [];
    const list = access.list ?? [];
    const write = access.write ?? [];
    assertPrefixes(read, 'read');
    if (list !== 'bucket') assertPrefixes(list, 'list');
    assertPrefixes(write, 'write');
    if (read.length + write.length === 0 && list !== 'bucket' && list.length === 0) {
      throw new Error('HandlerFunction.useBucket: give at least one read, list or write prefix');
    }
    const bucketId = logicalIdOf(bucket);
    const objectPatterns: string[] = [];
    if (read.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: read.map((p) => bucket.arnForObjects(`${p}*`)),
        }),
      );
      objectPatterns.push(...read);
    }
    if (list === 'bucket') {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    } else if (list.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': list.map((p) => `${p}*`) } },
        }),
      );
    }
    if (write.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: write.map((p) => bucket.arnForObjects(`${p}*`)),
        }),
      );
      objectPatterns.push(...write);
    }
    if (objectPatterns.length > 0) {
      NagSuppressions.addResourceSuppressions(
        this.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Object access is scoped to the key prefixes of the bucket layout (DATASETS.md); the object names under each prefix are not known in advance.',
            appliesTo: [...new Set(objectPatterns)].map((p) => `Resource::<${bucketId}.Arn>/${p}*`),
          },
        ],
        true,
      );
    }
    this.setEnvironment({ BUCKET_NAME: bucket.bucketName });
  }

  /**
   * Read the stored report configuration at cold start: s3:GetObject on that one object (no
   * prefix, no wildcard), and REPORT_CONFIG_BUCKET, REPORT_CONFIG_KEY, REPORT_CONFIG_SHA256.
   */
  useReportConfig(stored: StoredReportConfig): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [stored.objectArn] }),
    );
    this.setEnvironment(reportConfigEnvironment(stored.location));
  }

  /**
   * Send email through SES from `sender` only: ses:SendRawEmail (the one call the mailer
   * makes) on the given identities with an `ses:FromAddress` condition, and SENDER.
   */
  useEmailSender(sender: string, identityArns: readonly string[]): void {
    if (identityArns.length === 0) {
      throw new Error('HandlerFunction.useEmailSender: give the SES identity ARNs to send through');
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [...identityArns],
        conditions: { StringEquals: { 'ses:FromAddress': sender } },
      }),
    );
    this.setEnvironment({ SENDER: sender });
  }

  /** Add variables, refusing an environment over Lambda's 4 KB limit with the culprit named. */
  private setEnvironment(variables: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(variables)) {
      this.environment.set(key, value);
      this.function.addEnvironment(key, value);
    }
    let bytes = 0;
    for (const [key, value] of this.environment) {
      bytes += Buffer.byteLength(key);
      bytes += Token.isUnresolved(value) ? TOKEN_ALLOWANCE_BYTES : Buffer.byteLength(value);
    }
    if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      const largest = [...this.environment].sort((a, b) => b[1].length - a[1].length)[0];
      throw new Error(
        `HandlerFunction ${this.node.id}: the environment would be about ${bytes} bytes, over Lambda's 4 KB limit; ` +
          `the largest variable is ${largest?.[0]} (${Buffer.byteLength(largest?.[1] ?? '')} bytes); ` +
          'keep large settings out of the environment, as useReportConfig does for the report config',
      );
    }
  }
}
