package dev.privacy.dpf.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.privacy.dpf.crds.validation.ResourceValidator;
import dev.privacy.dpf.operator.webhook.GateMutation;
import dev.privacy.dpf.operator.webhook.MountedCertificates;
import dev.privacy.dpf.operator.webhook.OwnCertificates;
import dev.privacy.dpf.operator.webhook.PodAdmission;
import dev.privacy.dpf.operator.webhook.ReloadingKeyManager;
import dev.privacy.dpf.operator.webhook.ResourceAdmission;
import dev.privacy.dpf.operator.webhook.WebhookServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator: JOSDK controllers for blocks and claims feeding one {@link Scheduler}, the pod gate
 * controller and workload tracking ({@link GateController}, {@link Workloads}), the admission
 * webhooks over HTTPS, leader election with a Lease (only the leader schedules and releases pods;
 * every replica answers webhooks), and the health endpoints.
 */
public final class DpfOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DpfOperator.class);

  private final KubernetesClient client;
  private final OperatorConfig cfg;
  private final Scheduler scheduler;
  private final Workloads workloads;
  private final Events events;
  private Operator operator;
  private WebhookServer webhooks;
  private AutoCloseable certificates;
  private HttpServer health;
  private volatile boolean leader;
  private volatile boolean started;

  public DpfOperator(KubernetesClient client, OperatorConfig cfg) {
    this(client, cfg, Clock.systemUTC());
  }

  public DpfOperator(KubernetesClient client, OperatorConfig cfg, Clock clock) {
    this.client = client;
    this.cfg = cfg;
    this.events = new Events(client);
    this.workloads = new Workloads(client, cfg.namespaces(), cfg.resyncPeriod());
    this.scheduler =
        new Scheduler(new Api(client, cfg.namespaces()), cfg, clock, workloads, events);
  }

  /** Starts the controllers, the health endpoints, and (when leader) the scheduler. */
  public synchronized DpfOperator start() {
    operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withUseSSAToPatchPrimaryResource(cfg.serverSideApply())
                  .withCloseClientOnStop(false);
              if (cfg.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(cfg.leaseName())
                        .withLeaseNamespace(cfg.leaseNamespace())
                        .withIdentity(cfg.identity())
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(
                            new LeaderCallbacks(
                                this::startLeading,
                                this::stopLeading,
                                id -> LOG.info("leader is now {}", id)))
                        .build());
              }
            });
    startWebhooks();
    workloads.start();
    operator.register(new BlockReconciler(scheduler), namespaces());
    operator.register(new ClaimReconciler(scheduler), namespaces());
    if (!cfg.leaderElection()) {
      startLeading();
    }
    operator.start();
    startHealth();
    started = true;
    LOG.info(
        "DPF operator started: policy {}, N {}, lifetime {}, namespaces {}, leader election {},"
            + " webhooks {}",
        cfg.policy(),
        cfg.n(),
        cfg.lifetime(),
        cfg.namespaces().isEmpty() ? "all" : cfg.namespaces(),
        cfg.leaderElection(),
        webhooks == null ? "off" : "on port " + webhooks.port());
    return this;
  }

  private <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      Consumer<ControllerConfigurationOverrider<R>> namespaces() {
    return o -> {
      if (cfg.namespaces().isEmpty()) {
        o.watchingAllNamespaces();
      } else {
        o.settingNamespaces(cfg.namespaces());
      }
    };
  }

  private void startLeading() {
    LOG.info("{} leads: scheduling", cfg.identity());
    leader = true;
    scheduler.start();
  }

  private void stopLeading() {
    LOG.info("{} stopped leading: scheduler on standby", cfg.identity());
    leader = false;
    scheduler.stop();
  }

  /** Whether this instance is the active scheduler. */
  public boolean leader() {
    return leader && scheduler.running();
  }

  /** Live: the process is up and its controllers started. */
  public boolean healthy() {
    return started && (!leader || scheduler.crashed() == null);
  }

  /** Ready: on standby, or leading with the state rebuilt. */
  public boolean ready() {
    return started && (!leader || scheduler.ready());
  }

  /**
   * The admission webhooks over HTTPS: the certificate from {@code --webhook-cert-dir}
   * (cert-manager) or the operator's own CA (kept in {@code --webhook-secret}, its certificate
   * written into the webhook configurations' caBundle).
   */
  private void startWebhooks() {
    if (cfg.webhookPort() < 0) {
      return;
    }
    ReloadingKeyManager keys = new ReloadingKeyManager();
    if (!cfg.webhookCertDir().isEmpty()) {
      certificates = new MountedCertificates(Path.of(cfg.webhookCertDir()), keys).start(10);
    } else {
      List<String> hosts =
          new ArrayList<>(
              OwnCertificates.serviceHosts(cfg.webhookService(), cfg.webhookNamespace()));
      hosts.addAll(cfg.webhookHosts());
      certificates =
          new OwnCertificates(
                  client,
                  cfg.webhookNamespace(),
                  cfg.webhookSecret(),
                  hosts,
                  cfg.webhookConfigurations(),
                  keys)
              .start(60);
    }
    PodAdmission pods =
        new PodAdmission(
            new ClusterLookups(client),
            new PodAdmission.Settings(cfg.gpuResources(), cfg.protectedNodeLabel()));
    ResourceAdmission resources =
        new ResourceAdmission(new ResourceValidator(cfg.validatorSettings()));
    Map<String, Function<JsonNode, JsonNode>> routes = new LinkedHashMap<>();
    routes.put(WebhookServer.MUTATE_PODS, GateMutation::review);
    routes.put(WebhookServer.VALIDATE_PODS, pods::review);
    routes.put(WebhookServer.VALIDATE_RESOURCES, resources::review);
    webhooks = new WebhookServer(cfg.webhookPort(), keys, routes).start();
  }

  /** The webhook port actually bound (when configured as 0); -1 without webhooks. */
  public int webhookPort() {
    return webhooks == null ? -1 : webhooks.port();
  }

  /** The health port actually bound (when configured as 0). */
  public int healthPort() {
    return health == null ? -1 : health.getAddress().getPort();
  }

  Scheduler scheduler() {
    return scheduler;
  }

  private void startHealth() {
    if (cfg.healthPort() < 0) {
      return;
    }
    try {
      health = HttpServer.create(new InetSocketAddress(cfg.healthPort()), 0);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot listen on --health-port=" + cfg.healthPort() + ": " + e.getMessage(), e);
    }
    health.createContext("/healthz", ex -> answer(ex, healthy(), healthy() ? "ok" : "unhealthy"));
    health.createContext(
        "/readyz",
        ex ->
            answer(
                ex,
                ready(),
                (ready() ? "ready" : "not ready") + (leader ? " (leader)" : " (standby)")));
    health.start();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange ex, boolean ok, String body)
      throws IOException {
    byte[] b = (body + "\n").getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(ok ? 200 : 503, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  /** Stops the scheduler, the controllers and the health endpoints; in-flight writes finish. */
  @Override
  public synchronized void close() {
    started = false;
    scheduler.close();
    workloads.close();
    events.close();
    if (webhooks != null) {
      webhooks.close();
    }
    if (certificates != null) {
      try {
        certificates.close();
      } catch (Exception e) {
        LOG.debug("certificates: {}", e.getMessage());
      }
    }
    if (operator != null) {
      operator.stop();
    }
    if (health != null) {
      health.stop(0);
    }
    LOG.info("DPF operator stopped");
  }
}
