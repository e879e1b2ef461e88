/**
 * Ready example operations for the common flows, opened as the playground's tabs in a fresh
 * browser: a certificate dashboard, deploying with `awaitCompletion`, a bind-resource task, and
 * deleting with task polling. A test validates each against the live schema
 * (test/unit/graphql/playground-examples.test.ts), so they cannot drift from it.
 *
 * They select only members whose meaning is stable and pass no `resourceType`, so the default
 * (clb) applies; variables hold placeholders to replace with ids from the dashboard.
 */

export interface PlaygroundExample {
  /** Operation(s) of the tab; the first named operation titles it. */
  query: string;
  /** JSON text of the tab's variables. */
  variables?: string;
}

const vars = (v: Record<string, unknown>): string => JSON.stringify(v, null, 2);

export const CERTIFICATE_DASHBOARD = `# Certificate dashboard: the certificates that expire soonest, with their state and where they
# are used. Run with Ctrl-Enter; the Docs panel (book icon) lists every query and mutation.
query CertificateDashboard($limit: Int = 10) {
  certificates(limit: $limit, expirationSort: ASC) {
    totalCount
    certificates {
      certificateId
      domain
      alias
      status
      statusName
      certEndTime
      isExpiring
      deployable
      subjectAltName
    }
  }
}
`;

export const DEPLOY_AND_AWAIT = `# Deploy a certificate to CLB listeners and wait for the deployment to finish (up to 20 s; the
# \`wait\` report says when the wait was capped). Instance ids: "LoadBalancerId|ListenerId" (add
# "|Domain" for SNI listeners). Replaying with the same idempotencyKey never deploys twice.
mutation DeployCertificate($certificateId: ID!, $instanceIdList: [String!]!, $idempotencyKey: String) {
  deployCertificate(certificateId: $certificateId, instanceIdList: $instanceIdList, idempotencyKey: $idempotencyKey) {
    __typename
    ... on DeploymentStarted {
      requestId
      record {
        ...DeploymentProgressFields
      }
    }
    ... on DeploymentAlreadyRunning {
      message
      record {
        ...DeploymentProgressFields
      }
    }
  }
}

fragment DeploymentProgressFields on DeploymentRecord {
  id
  kind
  awaitCompletion(timeoutSeconds: 20) {
    state
    done
    progress {
      total
      succeeded
      failed
      running
      pending
    }
    wait {
      capped
      cappedBy
      deadlineReached
    }
  }
}
`;

export const BIND_RESOURCE_TASK = `# Which cloud resources use these certificates? Starts a bind-resource task and waits for it
# (up to 10 s), then reads the totals per resource type and region and the bound CLB and CDN
# instances. Poll later with bindResourceTask(id:) when it is not done yet.
mutation BindResourceTask($certificateIds: [ID!]!) {
  createCertificateBindResourceTask(certificateIds: $certificateIds) {
    id
    certificateId
    awaitCompletion(timeoutSeconds: 10) {
      id
      state
      done
      error {
        code
        message
      }
      result {
        resourceType
        bindResourceRegionResult {
          region
          totalCount
        }
      }
      detail(limit: 20) {
        clb {
          region
          totalCount
          instanceList {
            loadBalancerId
            loadBalancerName
          }
        }
        cdn {
          totalCount
          instanceList {
            domain
            httpsBillingSwitch
          }
        }
      }
    }
  }
}
`;

export const DELETE_WITH_TASK_POLLING = `# Delete a certificate after checking that no cloud resource still uses it. The deletion runs as
# a task: run DeleteCertificate, put a task id from its answer in "taskId", then run
# DeleteTaskStatus until done is true (or let awaitCompletion wait for you).
mutation DeleteCertificate($certificateId: ID!, $idempotencyKey: String) {
  deleteCertificates(ids: [$certificateId], checkBoundResources: true, idempotencyKey: $idempotencyKey) {
    succeeded
    failed {
      certId
      msg
    }
    tasks {
      id
      certificateId
      state
      done
    }
  }
}

query DeleteTaskStatus($taskId: ID!) {
  deleteTask(id: $taskId) {
    id
    certificateId
    state
    done
    error
    awaitCompletion(timeoutSeconds: 10) {
      state
      done
      error
      domains
    }
  }
}
`;

/** The tabs, in order: the dashboard first (it needs no variables). */
export const PLAYGROUND_EXAMPLES: readonly PlaygroundExample[] = [
  { query: CERTIFICATE_DASHBOARD, variables: vars({ limit: 10 }) },
  {
    query: DEPLOY_AND_AWAIT,
    variables: vars({ certificateId: '<certificate id>', instanceIdList: ['<lb-id>|<listener-id>'], idempotencyKey: '<a new UUID per deployment>' }),
  },
  { query: BIND_RESOURCE_TASK, variables: vars({ certificateIds: ['<certificate id>'] }) },
  { query: DELETE_WITH_TASK_POLLING, variables: vars({ certificateId: '<certificate id>', idempotencyKey: '<a new UUID per deletion>', taskId: '<task id from DeleteCertificate>' }) },
];

/**
 * The same operations as files of examples/graphql/operations/, which GraphQL Code Generator
 * turns into a typed client (examples/graphql/). `npm run docs:generate` writes them from here, so
 * the playground's tabs and the typed example cannot drift apart.
 */
export function exampleOperationFiles(): Record<string, string> {
  const header = '# Generated from src/playground/examples.ts by `npm run docs:generate`: edit it there.\n';
  return {
    'certificate-dashboard.graphql': header + CERTIFICATE_DASHBOARD,
    'deploy-and-await.graphql': header + DEPLOY_AND_AWAIT,
    'bind-resource-task.graphql': header + BIND_RESOURCE_TASK,
    'delete-with-task-polling.graphql': header + DELETE_WITH_TASK_POLLING,
  };
}
