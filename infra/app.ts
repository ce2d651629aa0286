/**
 * CDK entry point (`cdk.json`: `npx tsx infra/app.ts`). Deploys one report from
 * `report.config.json`, the committed example when that file is absent, or the file given
 * with `-c config=<path>`; cdk-nag's AWS Solutions checks run on every synth.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployConfigError, loadDeployConfig, resolveConfigPath } from './config';
import { REPO_ROOT } from './paths';
import { EngagementReportStack } from './stack';

function main(): void {
  // Synthesised explicitly at the end, so a config error leaves no half-made assembly.
  const app = new App({ autoSynth: false });
  const config = loadDeployConfig(resolveConfigPath(REPO_ROOT, app.node.tryGetContext('config')));
  new EngagementReportStack(app, `engagement-report-${config.report.reportId}`, {
    config,
    description: `Customer-engagement report "${config.report.name}" (${config.report.reportId})`,
    // No `env`: the stack is environment-agnostic (account and region are resolved at deploy
    // time from the credentials `cdk deploy` runs with), so `cdk synth` needs no credentials
    // and the template does not bake in whichever region the CLI happened to default to.
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();
}

try {
  main();
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
