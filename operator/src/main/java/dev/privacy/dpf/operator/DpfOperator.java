package dev.privacy.dpf.operator;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator: JOSDK controllers for blocks and claims feeding one {@link Scheduler}, leader
 * election with a Lease (only the leader schedules), and the health endpoints.
 */
public final class DpfOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DpfOperator.class);

  private final KubernetesClient client;
  private final OperatorConfig cfg;
  private final Scheduler scheduler;
  private Operator operator;
  private HttpServer health;
  private volatile boolean leader;
  private volatile boolean started;

  public DpfOperator(KubernetesClient client, OperatorConfig cfg) {
    this(client, cfg, Clock.systemUTC());
  }

  public DpfOperator(KubernetesClient client, OperatorConfig cfg, Clock clock) {
    this.client = client;
    this.cfg = cfg;
    this.scheduler = new Scheduler(new Api(client, cfg.namespaces()), cfg, clock);
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
    operator.register(new BlockReconciler(scheduler), namespaces());
    operator.register(new ClaimReconciler(scheduler), namespaces());
    if (!cfg.leaderElection()) {
      startLeading();
    }
    operator.start();
    startHealth();
    started = true;
    LOG.info(
        "DPF operator started: policy {}, N {}, lifetime {}, namespaces {}, leader election {}",
        cfg.policy(),
        cfg.n(),
        cfg.lifetime(),
        cfg.namespaces().isEmpty() ? "all" : cfg.namespaces(),
        cfg.leaderElection());
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
    if (operator != null) {
      operator.stop();
    }
    if (health != null) {
      health.stop(0);
    }
    LOG.info("DPF operator stopped");
  }
}
