// The operations dashboard: one CloudWatch dashboard of the deployment with its runs (executions
// of both state machines), compliance (keys by status, non-compliant and drifted keys), remediation
// and failures (keys remediated and failed, scopes not scanned, roles not assumable, and with the
// Security Hub export the findings it refused), throttling
// (Regions throttled past the SDK, throttled invocations) and durations (a run, an account's scan).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FINDING_STATUSES } from '../../functions/core/schemas';
import { keysWithStatus, rotorMetric } from './rotor-metrics';

export interface OperationsDashboardProps {
  dashboardName: string;
  stateMachines: Record<string, sfn.IStateMachine>;
  functions: Record<string, lambda.IFunction>;
  /** The deployment exports findings to Security Hub (context `securityHubExport`). */
  securityHubExport: boolean;
}

const DAY = Duration.days(1);
const WIDE = 12;

export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const machines = Object.entries(props.stateMachines);
    const perMachine = (metric: (m: sfn.IStateMachine) => cloudwatch.IMetric) => machines.map(([, m]) => metric(m));
    const labelled = (label: string, metric: cloudwatch.Metric) => metric.with({ label });
    const sum = { statistic: 'Sum', period: DAY };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(14),
      widgets: [
        [
          new cloudwatch.TextWidget({ markdown: '## kms-rotor runs: executions of the rollout and scan-only state machines, per day', width: 24, height: 1 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Runs',
            width: WIDE,
            left: machines.flatMap(([name, m]) => [
              labelled(`${name} started`, m.metricStarted(sum)),
              labelled(`${name} succeeded`, m.metricSucceeded(sum)),
              labelled(`${name} failed`, m.metricFailed(sum)),
              labelled(`${name} timed out`, m.metricTimedOut(sum)),
              labelled(`${name} aborted`, m.metricAborted(sum)),
            ]),
          }),
          new cloudwatch.GraphWidget({
            title: 'Compliance: keys by status (scans of the day)',
            width: WIDE,
            stacked: true,
            left: FINDING_STATUSES.map((status) => keysWithStatus(status, sum)),
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Non-compliant and drifted keys (each run)',
            width: WIDE,
            left: [rotorMetric('NonCompliantKeys', { statistic: 'Maximum', period: DAY }), rotorMetric('DriftedKeys', { statistic: 'Maximum', period: DAY })],
          }),
          new cloudwatch.GraphWidget({
            title: 'Remediation and failures',
            width: WIDE,
            left: [rotorMetric('KeysRemediated', sum), rotorMetric('RemediationFailed', sum)],
            right: [
              rotorMetric('ErrorScopes', { statistic: 'Maximum', period: DAY }),
              rotorMetric('AssumeRoleDenied', sum),
              ...(props.securityHubExport ? [rotorMetric('SecurityHubFindingsRefused', sum)] : []),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Throttling',
            width: WIDE,
            left: [rotorMetric('ThrottledRegions', sum)],
            right: Object.entries(props.functions).map(([name, fn]) => labelled(`${name} throttled`, fn.metricThrottles(sum))),
          }),
          new cloudwatch.GraphWidget({
            title: 'Durations',
            width: WIDE,
            left: [
              rotorMetric('ScanAccountDuration', { statistic: 'Average', period: DAY, label: 'ScanAccount average (ms)' }),
              rotorMetric('ScanAccountDuration', { statistic: 'p99', period: DAY, label: 'ScanAccount p99 (ms)' }),
            ],
            right: perMachine((m) => m.metricTime({ statistic: 'Maximum', period: DAY })),
          }),
        ],
      ],
    });
  }
}
