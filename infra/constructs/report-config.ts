/**
 * The report configuration where it has room: one JSON file asset, holding every report of
 * the deployment. `cdk deploy` uploads it
 * (cdk-assets, beside the Lambda code, to the bootstrap bucket: private, encrypted, TLS-only)
 * before CloudFormation runs, so storing it takes no custom resource, no Lambda of its own
 * and no permission for the stack to write anywhere. The functions get its bucket, key and
 * SHA-256 (functions/adapters/report-config.ts) and `s3:GetObject` on that one object
 * (HandlerFunction.useReportConfig).
 *
 * Why not the alternatives: a Lambda environment holds 4 KB in all; an SSM String parameter
 * 4 KB (standard) or 8 KB (advanced, and billed); a BucketDeployment into the data bucket
 * needs its own Lambda-backed custom resource (with the AWS CLI layer and a role cdk-nag
 * rightly flags) to copy the very same asset once more.
 *
 * The asset's hash is derived from the content's SHA-256 alone, so the key changes exactly
 * when the config does; `cdk gc` keeps the object while a deployed template names it. The bootstrap bucket
 * is encrypted with the AWS-managed S3 key (or the key `cdk bootstrap --bootstrap-customer-key`
 * creates), whose policy lets any role of the account decrypt through S3: no KMS grant needed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetHashType } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import {
  encodeReportConfigs,
  type ReportConfigLocation,
} from '../../functions/adapters/report-config';
import { ConfigError, parseReports, type ReportConfig } from '../../functions/core/config';

export interface StoredReportConfigProps {
  /** The validated `report` object of the deploy file (infra/config.ts): one report. */
  readonly config?: ReportConfig;
  /**
   * Every report of the deployment (`DeployConfig.reports`), stored in one object; give
   * this or `config`.
   * @default - `[config]`
   */
  readonly reports?: readonly ReportConfig[];
}

export class StoredReportConfig extends Construct {
  /** The first report as deployed (the only one, in a deployment of one). */
  readonly config: ReportConfig;
  /** Every report as deployed, `config` first. */
  readonly reports: readonly ReportConfig[];
  /** The file asset the deploy uploads. */
  readonly asset: Asset;
  /** Lower-case hex SHA-256 of the stored bytes. */
  readonly sha256: string;
  /** Size of the stored object. */
  readonly sizeBytes: number;
  /** Bucket, key and SHA-256, for the functions' environment. */
  readonly location: ReportConfigLocation;
  /** ARN of exactly the stored object, for the functions' read grant. */
  readonly objectArn: string;

  constructor(scope: Construct, id: string, props: StoredReportConfigProps) {
    super(scope, id);
    const reports = props.reports ?? (props.config === undefined ? [] : [props.config]);
    if ((props.reports !== undefined) === (props.config !== undefined) || reports.length === 0) {
      throw new Error(
        `StoredReportConfig ${id}: give either "config" (one report) or "reports" (at least one)`,
      );
    }
    const { body, sha256 } = encodeReportConfigs(reports);
    // The functions validate the stored text with parseReports at cold start; checking here
    // that it passes makes a config the functions would refuse fail `cdk synth` instead.
    try {
      parseReports(JSON.parse(body));
    } catch (error) {
      const detail = error instanceof ConfigError ? error.message : String(error);
      throw new Error(
        `StoredReportConfig ${id}: the report config would be refused by the functions at cold start (${detail}); pass the config parseDeployConfig returns`,
        { cause: error },
      );
    }
    // An asset is a file on disk; aws-cdk-lib's own s3-deployment `Source.data` writes its
    // content to a temporary folder the same way. Staging copies it into the assembly while
    // the Asset is constructed, after which the temporary copy can go, unless staging is
    // disabled (`--no-staging`): then the assembly refers to this very file.
    const folder = mkdtempSync(join(tmpdir(), 'report-config-'));
    const file = join(folder, 'report-config.json');
    writeFileSync(file, body, 'utf8');
    this.asset = new Asset(this, 'Object', {
      path: file,
      assetHash: sha256,
      assetHashType: AssetHashType.CUSTOM,
    });
    if (!this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) {
      rmSync(folder, { recursive: true, force: true });
    }
    this.config = reports[0] as ReportConfig;
    this.reports = reports;
    this.sha256 = sha256;
    this.sizeBytes = Buffer.byteLength(body);
    this.location = {
      bucket: this.asset.s3BucketName,
      key: this.asset.s3ObjectKey,
      sha256,
    };
    this.objectArn = this.asset.bucket.arnForObjects(this.asset.s3ObjectKey);
  }
}
