package dev.privacy.dpf.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Demands;
import dev.privacy.dpf.crds.Accounting;
import dev.privacy.dpf.crds.BlockLedgerRecord;
import dev.privacy.dpf.crds.BlockPhase;
import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.GrantView;
import dev.privacy.dpf.crds.HoldRecord;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivacyClaimStatus;
import dev.privacy.dpf.crds.PrivateBlock;
import dev.privacy.dpf.crds.PrivateBlockSpec;
import dev.privacy.dpf.crds.PrivateBlockStatus;
import dev.privacy.dpf.crds.UnlockOverride;
import dev.privacy.dpf.crds.validation.Durations;
import dev.privacy.dpf.crds.validation.Problem;
import dev.privacy.dpf.crds.validation.ResourceValidator;
import dev.privacy.dpf.ledger.BlockLedger;
import dev.privacy.dpf.ledger.LedgerException;
import dev.privacy.dpf.sched.BlockState;
import dev.privacy.dpf.sched.ClaimRequest;
import dev.privacy.dpf.sched.Decision;
import dev.privacy.dpf.sched.Denial;
import dev.privacy.dpf.sched.Grant;
import dev.privacy.dpf.sched.Policy;
import dev.privacy.dpf.sched.SchedulingEngine;
import dev.privacy.dpf.sched.Snapshot;
import dev.privacy.dpf.sched.UnlockRule;
import dev.privacy.dpf.sched.Waiting;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one active scheduler: it keeps the {@link SchedulingEngine} fed from the resources, runs a
 * pass after each batch of events and on a timer, and persists each pass with the ledger protocol
 * of docs/architecture.md:
 *
 * <ol>
 *   <li>claim writes that must precede their blocks' writes (a finish intent: Consumed or Released;
 *       a fence before undoing an uncommitted hold);
 *   <li>one status write per changed block (adds the holds of new grants, folds finished ones),
 *       each conditional on the block's resourceVersion;
 *   <li>claim writes that follow their blocks (Allocated: the commit point of a grant; Denied;
 *       Pending with the arrival record);
 *   <li>finalizer removals once a deleted object holds nothing.
 * </ol>
 *
 * <p>Any conflict that is not our own echo, or any write that keeps failing, makes it rebuild its
 * whole state from the API server ({@link #resync()}), which completes or undoes whatever a pass
 * left half-written.
 */
final class Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  /** The state on the server is not what this scheduler assumed: rebuild from the server. */
  static final class Resync extends RuntimeException {
    Resync(String why) {
      super(why);
    }
  }

  private final Api api;
  private final OperatorConfig cfg;
  private final Clock clock;
  private final ResourceValidator validator;
  private final Policy policy;
  private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final ExecutorService writers;
  private final Events events;
  private final Workloads workloads;
  private final GateController gates;

  /** A bound pod (or its Job) changed: the workload of claim {@code namespace/name} may be over. */
  private record WorkloadChanged(String key) {}

  /**
   * Allocated claims whose workload is judged by a look-up no event announces: checked on timer.
   */
  private final java.util.Set<String> polled = new java.util.HashSet<>();

  private long lastPollNanos;

  private SchedulingEngine engine;
  private final Map<String, BlockModel> blocks = new HashMap<>();
  private final Map<String, ClaimModel> claims = new HashMap<>();

  /** UIDs of claims whose finalizer this scheduler removed: late events about them are ignored. */
  private final java.util.Set<String> goneClaims =
      java.util.Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
              return size() > 100_000;
            }
          });

  private long nextArrival;
  private final List<ClaimModel> selecting = new ArrayList<>();

  private volatile Thread thread;
  private volatile boolean running;
  private volatile boolean ready;
  private volatile Throwable crashed;
  private boolean needResync = true;

  final AtomicLong passes = new AtomicLong();
  final AtomicLong grants = new AtomicLong();
  final AtomicLong resyncs = new AtomicLong();

  /** Observes grants as they are committed (called on the scheduling thread), for benchmarks. */
  interface GrantListener {
    void granted(String claimKey);
  }

  private volatile GrantListener grantListener = k -> {};

  Scheduler(Api api, OperatorConfig cfg, Clock clock, Workloads workloads, Events events) {
    this.api = api;
    this.cfg = cfg;
    this.clock = clock;
    this.workloads = workloads;
    this.events = events;
    this.gates = new GateController(api.client(), workloads, events, cfg);
    workloads.listen(p -> offerWorkload(Workloads.claimKey(p)));
    this.validator = new ResourceValidator(cfg.validatorSettings());
    this.policy = cfg.policy().equals("fcfs") ? Policy.fcfs() : Policy.dpf();
    this.writers =
        Executors.newFixedThreadPool(
            cfg.writeThreads(),
            r -> {
              Thread t = new Thread(r, "dpf-writer");
              t.setDaemon(true);
              return t;
            });
  }

  void onGrant(GrantListener l) {
    this.grantListener = l;
  }

  /**
   * A resource changed (called from the reconcilers, any thread). Dropped while this instance does
   * not schedule: a scheduler starts by listing everything anyway.
   */
  void offer(HasMetadata resource) {
    offerListener.offered(resource);
    if (running) {
      inbox.add(resource);
    }
  }

  private void offerWorkload(String claimKey) {
    if (running) {
      inbox.add(new WorkloadChanged(claimKey));
    }
  }

  GateController gates() {
    return gates;
  }

  /** Observes resources handed to the scheduler (any thread), for benchmarks. */
  interface OfferListener {
    void offered(HasMetadata resource);
  }

  private volatile OfferListener offerListener = r -> {};

  void onOffer(OfferListener l) {
    this.offerListener = l;
  }

  /** Starts the scheduling thread (when this instance becomes the leader). */
  synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    needResync = true;
    thread = new Thread(this::loop, "dpf-scheduler");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the scheduling thread (leadership lost, or shutdown); waits for it to end. */
  void stop() {
    Thread t;
    synchronized (this) {
      running = false;
      ready = false;
      t = thread;
    }
    gates.standby();
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops for good, with the writer threads. */
  void close() {
    stop();
    writers.shutdownNow();
    gates.close();
  }

  boolean ready() {
    return ready && running;
  }

  boolean running() {
    return running;
  }

  /** The crash a test injected (or an unexpected error) that ended the loop, if any. */
  Throwable crashed() {
    return crashed;
  }

  Api api() {
    return api;
  }

  // ------------------------------------------------------------------------------------------
  // the loop

  private void loop() {
    long backoff = 50;
    while (running) {
      try {
        if (needResync) {
          gates.standby();
          workloads.awaitSynced(java.time.Duration.ofMinutes(2));
          resync();
          needResync = false;
          ready = true;
        }
        Object first = inbox.poll(cfg.resyncPeriod().toMillis(), TimeUnit.MILLISECONDS);
        if (!running) {
          break;
        }
        List<Object> batch = new ArrayList<>();
        if (first != null) {
          batch.add(first);
        }
        inbox.drainTo(batch);
        step(batch);
        backoff = 50;
      } catch (InterruptedException e) {
        break;
      } catch (Api.SimulatedCrash c) {
        LOG.warn("{}", c.getMessage());
        crashed = c;
        running = false;
        ready = false;
        return;
      } catch (Resync | Api.Conflict | KubernetesClientException | LedgerException e) {
        if (!running) {
          break;
        }
        LOG.info("rebuilding state from the API server: {}", e.getMessage());
        needResync = true;
        sleepQuietly(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      } catch (RuntimeException e) {
        if (!running || e.getCause() instanceof InterruptedException) {
          break;
        }
        LOG.error("unexpected error in the scheduling loop; rebuilding state", e);
        needResync = true;
        sleepQuietly(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  private void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      running = false;
    }
  }

  /** One batch: apply the events, run a pass, persist it. */
  void step(List<Object> batch) {
    Map<String, HasMetadata> latest = new LinkedHashMap<>();
    java.util.Set<String> workloadsChanged = new java.util.HashSet<>();
    for (Object o : batch) {
      if (o instanceof HasMetadata r) {
        latest.put(r.getKind() + "/" + r.getMetadata().getUid(), r);
      } else if (o instanceof WorkloadChanged w) {
        workloadsChanged.add(w.key());
      }
    }
    Instant now = clock.instant();
    for (HasMetadata r : latest.values()) {
      if (r instanceof PrivateBlock b) {
        onBlock(b, now);
      }
    }
    // claims seen in the same batch arrive in creation order (then by namespace and name)
    List<PrivacyClaim> batchClaims = new ArrayList<>();
    for (HasMetadata r : latest.values()) {
      if (r instanceof PrivacyClaim c) {
        batchClaims.add(c);
      }
    }
    batchClaims.sort(
        Comparator.comparing(
                (PrivacyClaim c) -> Objects.toString(c.getMetadata().getCreationTimestamp(), ""))
            .thenComparing(Api::key));
    for (PrivacyClaim c : batchClaims) {
      onClaim(c, now);
    }
    if (!selecting.isEmpty()) {
      List<ClaimModel> again = new ArrayList<>(selecting);
      selecting.clear();
      for (ClaimModel m : again) {
        if (m.state == ClaimModel.State.SELECTING && claims.get(m.uid) == m) {
          arrive(m, now);
        }
      }
    }
    long t = System.nanoTime();
    boolean pollDue = !polled.isEmpty() && t - lastPollNanos >= cfg.resyncPeriod().toNanos();
    if (pollDue) {
      lastPollNanos = t;
    }
    if (!workloadsChanged.isEmpty() || pollDue) {
      for (ClaimModel m : claims.values()) { // checkWorkload adds or removes no claim
        if (workloadsChanged.contains(m.key) || (pollDue && polled.contains(m.uid))) {
          checkWorkload(m);
        }
      }
    }
    Decision d = engine.pass(now);
    passes.incrementAndGet();
    persist(d, now);
  }

  // ------------------------------------------------------------------------------------------
  // events

  /** Whether {@code fresh} is older than what we hold (our own write's result, or a read). */
  private static boolean older(HasMetadata fresh, HasMetadata known) {
    if (known == null) {
      return false;
    }
    try {
      return Long.parseLong(fresh.getMetadata().getResourceVersion())
          <= Long.parseLong(known.getMetadata().getResourceVersion());
    } catch (NumberFormatException e) {
      return Objects.equals(
          fresh.getMetadata().getResourceVersion(), known.getMetadata().getResourceVersion());
    }
  }

  private void onBlock(PrivateBlock b, Instant now) {
    String id = Selection.id(b);
    BlockModel m = blocks.get(id);
    if (m != null && !Objects.equals(m.obj.getMetadata().getUid(), b.getMetadata().getUid())) {
      if (m.gone) {
        blocks.remove(id);
        m = null;
      } else {
        return; // an event of an older incarnation, or a new one before the old one is gone
      }
    }
    if (m == null) {
      if (b.getStatus() != null && b.getStatus().getLedger() != null) {
        throw new Resync("block " + id + " has a ledger this scheduler did not write");
      }
      m = new BlockModel(id, b);
      blocks.put(id, m);
      try {
        admitBlock(m, now);
      } catch (RuntimeException e) {
        // a block the validator let through but the core refuses: invalid, and the others go on
        LOG.warn("block {} cannot be admitted", id, e);
        m.problems = List.of(new Problem("spec", null, "the block cannot be read: " + e));
      }
      m.dirty = true;
    } else {
      if (older(b, m.obj)) {
        return;
      }
      if (!Objects.equals(ledgerJson(b), m.lastLedgerJson) && m.lastLedgerJson != null) {
        throw new Resync("block " + id + " ledger changed by another writer");
      }
      m.obj = b;
    }
    if (b.getMetadata().getDeletionTimestamp() != null && !m.deleting) {
      m.deleting = true;
      m.dirty = true;
      denyWaitingOn(m);
    }
  }

  /** Validates a new block and, if valid, enters it into the engine, fully locked. */
  private void admitBlock(BlockModel m, Instant now) {
    m.problems = validator.validate(m.obj);
    if (!m.valid()) {
      return;
    }
    admitShape(m, now, null);
    engine.addBlock(BlockState.create(m.id, m.capacity, m.rule, m.start).unlockedAt(now));
    m.inEngine = true;
  }

  private UnlockRule unlockRule(UnlockOverride o) {
    String p = cfg.policy();
    if (o != null && o.getPolicy() != null) {
      p =
          switch (o.getPolicy()) {
            case DPF_N -> "dpf-n";
            case DPF_T -> "dpf-t";
            case FCFS -> "fcfs";
          };
    }
    return switch (p) {
      case "fcfs" -> new UnlockRule.AllAtOnce();
      case "dpf-t" ->
          new UnlockRule.OverTime(
              o != null && o.getLifetime() != null
                  ? Durations.parse(o.getLifetime())
                  : cfg.lifetime());
      default -> new UnlockRule.PerArrival(o != null && o.getN() != null ? o.getN() : cfg.n());
    };
  }

  private void denyWaitingOn(BlockModel m) {
    for (ClaimModel c : claims.values()) {
      if (c.state == ClaimModel.State.WAITING && c.blocks.contains(m.id)) {
        engine.cancel(c.uid); // its Denied status, once written, records its arrival
        deny(c, DpfApi.Reasons.NO_MATCHING_BLOCKS, "block " + m.id + " is being deleted");
      }
    }
  }

  private void onClaim(PrivacyClaim c, Instant now) {
    String uid = c.getMetadata().getUid();
    ClaimModel m = claims.get(uid);
    if (m == null && goneClaims.contains(uid)) {
      return;
    }
    if (m == null) {
      if (c.getStatus() != null && c.getStatus().getPhase() != null) {
        throw new Resync(
            "claim "
                + Api.key(c)
                + " has a status this scheduler did not write (rv "
                + c.getMetadata().getResourceVersion()
                + ", "
                + c.getStatus().getPhase()
                + ", deleting "
                + (c.getMetadata().getDeletionTimestamp() != null)
                + ", fin "
                + c.getMetadata().getFinalizers()
                + ")");
      }
      m = new ClaimModel(c);
      claims.put(uid, m);
      if (m.deleting()) {
        m.state = ClaimModel.State.DONE;
      } else {
        arrive(m, now);
      }
    } else {
      if (older(c, m.obj)) {
        react(m); // our own write may have brought in a newer spec than this event
        return;
      }
      if (m.lastStatusJson != null && !Objects.equals(statusJson(c), m.lastStatusJson)) {
        throw new Resync("claim " + m.key + " status changed by another writer");
      }
      m.obj = c;
      if (m.deleting()) {
        gates.claim(c); // no pod of a claim being deleted is released any more
      }
    }
    react(m);
  }

  /** Acts on a claim's spend report or deletion. */
  private void react(ClaimModel m) {
    PrivacyClaim c = m.obj;
    String uid = m.uid;
    if (m.state == ClaimModel.State.ALLOCATED && c.getSpec().getSpent() != null) {
      finish(m, ClaimPhase.Consumed, spentOf(m), "the job reported its spend in spec.spent");
    }
    if (m.deleting()) {
      switch (m.state) {
        case SELECTING -> m.state = ClaimModel.State.DONE;
        case WAITING -> {
          engine.cancel(uid);
          recorded(m); // never to be recorded: it is gone
          m.state = ClaimModel.State.DONE;
        }
        case ALLOCATED -> checkWorkload(m);
        default -> {}
      }
    } else if (m.state == ClaimModel.State.ALLOCATED) {
      checkWorkload(m);
    }
  }

  /**
   * An Allocated claim whose workload is over is Consumed (the whole grant: a smaller spend comes
   * through {@code spec.spent}), or Released if none of its pods ever started. A claim being
   * deleted is Consumed if a pod started, Released if none did and none can any more, and waits
   * while a released pod could still start.
   */
  private void checkWorkload(ClaimModel m) {
    if (m.state != ClaimModel.State.ALLOCATED) {
      polled.remove(m.uid);
      return;
    }
    String ns = m.obj.getMetadata().getNamespace();
    String name = m.obj.getMetadata().getName();
    Workloads.Verdict v = workloads.verdict(ns, name, m.uid);
    if (v.polled()) {
      polled.add(m.uid);
    } else {
      polled.remove(m.uid);
    }
    if (!m.deleting() && !v.finished()) {
      return;
    }
    if (v.ran()) {
      finish(m, ClaimPhase.Consumed, m.demands, consumedBecause(m, v));
      return;
    }
    if (v.mayStart()) {
      waitForPods(m, v);
      return;
    }
    // no pod ran and none can start, as the informers see it; before the budget goes back, no
    // pod is released any more, and a fresh list of its pods must agree (informers lag)
    if (!gates.close(m.key, m.uid)) {
      return; // a release is under way: its pod's event brings the claim back here
    }
    Workloads.Verdict live = workloads.verdict(ns, api.podsOf(ns, name), m.uid);
    if (live.ran()) {
      finish(m, ClaimPhase.Consumed, m.demands, consumedBecause(m, live));
    } else if (live.mayStart()) {
      gates.reopen(ns, name, m.uid);
      waitForPods(m, live);
    } else {
      finish(
          m,
          ClaimPhase.Released,
          null,
          m.deleting()
              ? "deleted before any of its pods ran"
              : "none of its pods ran: " + v.summary());
    }
  }

  private static String consumedBecause(ClaimModel m, Workloads.Verdict v) {
    return m.deleting()
        ? "deleted after its pods ran: spent for good"
        : "its workload finished: " + v.summary();
  }

  /** A released pod may still start: the claim waits for it, and says so (once). */
  private void waitForPods(ClaimModel m, Workloads.Verdict v) {
    if (m.waitingForPods) {
      return;
    }
    m.waitingForPods = true;
    m.message =
        (m.deleting() ? "being deleted" : "its workload is over (" + v.summary() + ")")
            + ", but pod(s) "
            + v.mayStartPods()
            + " were released and may still start: waiting for them to start (then the grant is"
            + " Consumed) or to finish or be deleted without starting (then it is Released)";
    m.statusDirty = true;
    LOG.info("claim {}: {}", m.key, m.message);
  }

  /** A new claim: validated, its blocks selected, and entered into the engine. */
  private void arrive(ClaimModel m, Instant now) {
    try {
      admitClaim(m, now);
    } catch (RuntimeException e) {
      // whatever is wrong with this claim must not stop the others: it is denied, with the cause
      LOG.warn("claim {} cannot be admitted", m.key, e);
      if (m.state == ClaimModel.State.WAITING) {
        engine.cancel(m.uid);
        recorded(m);
      }
      deny(m, DpfApi.Reasons.INVALID, "the claim cannot be read: " + e);
    }
  }

  private void admitClaim(ClaimModel m, Instant now) {
    PrivacyClaim c = m.obj;
    m.arrivedAt = now.toString();
    List<Problem> problems = validator.validate(c);
    if (!problems.isEmpty()) {
      deny(m, DpfApi.Reasons.INVALID, describe(problems));
      return;
    }
    Selection.Result sel =
        Selection.select(
            c.getMetadata().getNamespace(),
            c.getSpec().getBlocks(),
            blocks.values().stream().filter(BlockModel::selectable).map(b -> b.obj).toList());
    if (!sel.ok()) {
      if (DpfApi.Reasons.NO_MATCHING_BLOCKS.equals(sel.denial()) && young(c, now)) {
        m.state = ClaimModel.State.SELECTING; // its blocks may not have reached us yet
        selecting.add(m);
        return;
      }
      deny(m, sel.denial(), sel.message());
      return;
    }
    List<Budget> demands;
    try {
      demands = demandsOn(c, sel.ids());
    } catch (IllegalArgumentException e) {
      deny(m, DpfApi.Reasons.INVALID, "spec.demand: " + e.getMessage());
      return;
    }
    m.blocks = sel.ids();
    m.demands = demands;
    m.arrival = nextArrival++;
    m.deadline = deadline(c);
    m.state = ClaimModel.State.WAITING;
    engine.arrive(new ClaimRequest(m.uid, m.blocks, demands, m.arrival, m.deadline), now);
    m.recorded = false;
    m.countedUnrecorded = true;
    for (String id : m.blocks) {
      blocks.get(id).unrecorded++;
    }
  }

  /** The claim's arrival is durable (or will never be): its blocks may count it in writes. */
  private void recorded(ClaimModel m) {
    m.recorded = true;
    if (m.countedUnrecorded) {
      m.countedUnrecorded = false;
      for (String id : m.blocks) {
        BlockModel b = blocks.get(id);
        if (b != null) {
          b.unrecorded--;
          if (b.holds.containsKey(m.uid) && b.unrecordedHeld > 0) {
            b.unrecordedHeld--;
          }
        }
      }
    }
  }

  /** How long a claim whose blocks are not found waits for them before NoMatchingBlocks. */
  static final java.time.Duration SELECTION_GRACE = java.time.Duration.ofSeconds(10);

  private boolean young(PrivacyClaim c, Instant now) {
    String created = c.getMetadata().getCreationTimestamp();
    return created != null
        && OffsetDateTime.parse(created).toInstant().plus(SELECTION_GRACE).isAfter(now);
  }

  private Instant deadline(PrivacyClaim c) {
    String created = c.getMetadata().getCreationTimestamp();
    Instant t0 = created == null ? clock.instant() : OffsetDateTime.parse(created).toInstant();
    return t0.plus(
        c.getSpec().getTimeout() == null
            ? cfg.defaultTimeout()
            : Durations.parse(c.getSpec().getTimeout()));
  }

  private List<Budget> demandsOn(PrivacyClaim c, List<String> ids) {
    Budget demand = ResourceValidator.demandBudget(c.getSpec().getDemand(), cfg.orders());
    Double delta = c.getSpec().getDemand().getDelta();
    List<Budget> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      BlockModel b = blocks.get(id);
      Budget g = b.capacity.capacity();
      out.add(
          Demands.forBlock(
              demand,
              g.kind(),
              g.kind() == Budget.Kind.RENYI ? g.orders() : null,
              delta,
              cfg.conversion()));
    }
    return out;
  }

  /** The reported spend on each block, capped at the grant (never more than was granted). */
  private List<Budget> spentOf(ClaimModel m) {
    PrivacyClaim c = m.obj;
    try {
      Budget spent = ResourceValidator.demandBudget(c.getSpec().getSpent(), cfg.orders());
      Double delta =
          c.getSpec().getSpent().getDelta() != null
              ? c.getSpec().getSpent().getDelta()
              : c.getSpec().getDemand().getDelta();
      List<Budget> out = new ArrayList<>();
      for (int i = 0; i < m.blocks.size(); i++) {
        Budget g = m.demands.get(i);
        Budget s =
            Demands.forBlock(
                spent,
                g.kind(),
                g.kind() == Budget.Kind.RENYI ? g.orders() : null,
                delta,
                cfg.conversion());
        out.add(s.min(g));
      }
      return out;
    } catch (RuntimeException e) {
      LOG.warn("claim {}: spec.spent cannot be read ({}); counting the whole grant", m.key, e);
      return m.demands;
    }
  }

  /** Allocated → Consumed or Released: the intent is written first, then the holds fold. */
  private void finish(ClaimModel m, ClaimPhase phase, List<Budget> spent, String message) {
    gates.close(m.key, m.uid); // no pod of it is released any more
    List<Budget> s = spent == null ? m.demands.stream().map(Budget::zero).toList() : spent;
    engine.consume(m.uid, s);
    m.state = ClaimModel.State.FINISHING;
    m.spent = s;
    m.phase = phase;
    m.reason = phase == ClaimPhase.Consumed ? DpfApi.Reasons.CONSUMED : DpfApi.Reasons.RELEASED;
    m.message = message;
    m.finishedAt = clock.instant().toString();
    m.statusDirty = true;
    m.writeFirst = true;
    for (String id : m.blocks) {
      BlockModel b = blocks.get(id);
      b.holds.remove(m.uid);
      b.dirty = true;
    }
  }

  private void deny(ClaimModel m, String reason, String message) {
    m.state = ClaimModel.State.DONE;
    m.phase = ClaimPhase.Denied;
    m.reason = reason;
    m.message = message;
    m.finishedAt = clock.instant().toString();
    m.statusDirty = true;
  }

  private static String describe(List<Problem> problems) {
    StringBuilder b = new StringBuilder();
    for (Problem p : problems) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(p.message());
    }
    return b.toString();
  }

  // ------------------------------------------------------------------------------------------
  // persisting a pass

  private void persist(Decision d, Instant now) {
    for (Grant g : d.grants()) {
      ClaimModel m = claims.get(g.claimId());
      m.state = ClaimModel.State.GRANTING;
      m.phase = ClaimPhase.Allocated;
      m.reason = DpfApi.Reasons.GRANTED;
      m.message = "granted on " + g.blocks().size() + " block(s)";
      m.allocatedAt = now.toString();
      m.statusDirty = true;
      for (int i = 0; i < g.blocks().size(); i++) {
        BlockModel b = blocks.get(g.blocks().get(i));
        b.holds.put(m.uid, new BlockModel.Hold(b.id, m.uid, m.key, g.amounts().get(i), m.arrival));
        b.dirty = true;
        if (m.countedUnrecorded) {
          b.unrecordedHeld++;
        }
      }
    }
    for (Denial den : d.denials()) {
      ClaimModel m = claims.get(den.claimId());
      deny(m, den.reason().camelCase(), den.message());
    }
    for (String id : d.ledgers().keySet()) {
      BlockModel b = blocks.get(id);
      if (b != null) {
        b.viewDirty = true; // unlocked by time; grants marked their blocks dirty above
      }
    }

    // 1. writes that must land before the blocks
    List<ClaimModel> first = new ArrayList<>();
    for (ClaimModel m : claims.values()) {
      if (m.statusDirty && m.writeFirst) {
        first.add(m);
      }
    }
    writeClaims(first, now);
    first.forEach(m -> m.writeFirst = false);

    // 2. the blocks
    long t = System.nanoTime();
    List<BlockModel> dirty =
        blocks.values().stream()
            .filter(
                b ->
                    !b.gone
                        && !b.frozen
                        && (b.dirty
                            || (b.viewDirty && t - b.lastWriteNanos > VIEW_REFRESH_NANOS)
                            || (b.inEngine && arrivalsChanged(b))
                                && t - b.lastWriteNanos > VIEW_REFRESH_NANOS))
            .toList();
    runAll(dirty.stream().map(b -> (Supplier<Void>) () -> writeBlock(b, now)).toList());

    // 3. the claims that follow their blocks
    for (ClaimModel m : claims.values()) {
      if (m.state == ClaimModel.State.FINISHING) {
        m.state = ClaimModel.State.DONE; // its holds are folded: step 2 wrote every block
      }
    }
    List<ClaimModel> then = new ArrayList<>();
    List<ClaimModel> needInfo = new ArrayList<>();
    long nanos = System.nanoTime();
    for (ClaimModel m : claims.values()) {
      if (m.statusDirty) {
        then.add(m);
      } else if (m.state == ClaimModel.State.WAITING
          && (!m.recorded || nanos - m.lastPendingWriteNanos > 5_000_000_000L)) {
        needInfo.add(m);
      }
    }
    addPendingWrites(needInfo, then, nanos);
    writeClaims(then, now);
    for (ClaimModel m : then) {
      if (m.state == ClaimModel.State.GRANTING) {
        m.state = ClaimModel.State.ALLOCATED;
        grants.incrementAndGet();
        grantListener.granted(m.key);
      }
    }

    // 4. finalizers
    List<Supplier<Void>> fin = new ArrayList<>();
    for (ClaimModel m : claims.values()) {
      if (m.deleting() && m.state == ClaimModel.State.DONE && !m.statusDirty) {
        fin.add(() -> removeFinalizer(m.obj, DpfApi.FINALIZER_CLAIM, o -> m.obj = o));
      }
    }
    for (BlockModel b : blocks.values()) {
      if (b.deleting && !b.gone && !b.frozen && b.holds.isEmpty() && !waitedOn(b)) {
        fin.add(() -> removeFinalizer(b.obj, DpfApi.FINALIZER_BLOCK, o -> b.obj = o));
      }
    }
    runAll(fin);
    claims
        .values()
        .removeIf(
            m -> {
              boolean gone =
                  m.deleting()
                      && m.state == ClaimModel.State.DONE
                      && !hasFinalizer(m.obj, DpfApi.FINALIZER_CLAIM);
              if (gone) {
                goneClaims.add(m.uid);
                polled.remove(m.uid);
                gates.claimGone(m.obj);
              }
              return gone;
            });
    for (BlockModel b : blocks.values()) {
      if (b.deleting && !hasFinalizer(b.obj, DpfApi.FINALIZER_BLOCK) && !b.gone) {
        if (b.inEngine) {
          engine.removeBlock(b.id);
        }
        b.gone = true;
      }
    }
  }

  /** Views-only changes of a block (unlocking by time, arrivals) are written this often. */
  private static final long VIEW_REFRESH_NANOS = 2_000_000_000L;

  private boolean arrivalsChanged(BlockModel b) {
    return engine
        .block(b.id)
        .map(s -> s.arrivals() - (b.unrecorded - b.unrecordedHeld) != b.arrivalsWritten)
        .orElse(false);
  }

  private boolean waitedOn(BlockModel b) {
    for (ClaimModel c : claims.values()) {
      if ((c.state == ClaimModel.State.WAITING || c.state == ClaimModel.State.GRANTING)
          && c.blocks.contains(b.id)) {
        return true;
      }
    }
    return false;
  }

  /** Pending claims get their arrival record once, and fresh queue info every few seconds. */
  private void addPendingWrites(List<ClaimModel> need, List<ClaimModel> out, long nanos) {
    if (need.isEmpty()) {
      return;
    }
    Map<String, Waiting> info = new HashMap<>();
    if (need.size() <= 16) {
      for (ClaimModel m : need) {
        engine.waiting(m.uid).ifPresent(w -> info.put(m.uid, w));
      }
    } else {
      for (Waiting w : engine.waiting()) {
        info.put(w.claimId(), w);
      }
    }
    int refreshes = 0;
    for (ClaimModel m : need) {
      Waiting w = info.get(m.uid);
      if (w == null) {
        continue;
      }
      boolean changed =
          !Objects.equals(m.position, w.position())
              || !Objects.equals(m.blocking, w.blockingBlock())
              || (refreshes < 100 && !Objects.equals(m.message, w.message()));
      if (!m.recorded || (changed && refreshes++ < 100)) {
        m.position = w.position();
        m.blocking = w.blockingBlock();
        m.phase = ClaimPhase.Pending;
        m.reason = DpfApi.Reasons.WAITING_FOR_BUDGET;
        m.message = w.message();
        m.statusDirty = true;
        m.lastPendingWriteNanos = nanos;
        m.dominantShare = w.dominantShare();
        out.add(m);
      } else {
        m.lastPendingWriteNanos = nanos;
      }
    }
  }

  /** Runs the writes in parallel and waits for all; the first failure is rethrown. */
  /** Writes the claims' statuses in parallel; those that landed are recorded. */
  private void writeClaims(List<ClaimModel> ms, Instant now) {
    try {
      runAll(ms.stream().map(m -> (Supplier<Void>) () -> writeClaim(m, now)).toList());
    } finally {
      for (ClaimModel m : ms) {
        if (m.justWritten) {
          m.justWritten = false;
          if (m.arrival >= 0) {
            recorded(m);
          }
        }
      }
    }
  }

  private void runAll(List<Supplier<Void>> tasks) {
    if (tasks.isEmpty()) {
      return;
    }
    if (tasks.size() == 1) {
      tasks.get(0).get();
      return;
    }
    List<Future<Void>> fs = new ArrayList<>(tasks.size());
    for (Supplier<Void> t : tasks) {
      fs.add(writers.submit(t::get));
    }
    Throwable failure = null;
    for (Future<Void> f : fs) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failure == null || e.getCause() instanceof Api.SimulatedCrash) {
          failure = e.getCause();
        }
      } catch (InterruptedException e) {
        // leadership lost or shutdown: wait for the writes in flight before giving up the model
        for (Future<Void> g : fs) {
          g.cancel(true);
        }
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while writing", e);
      }
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error err) {
      throw err;
    }
  }

  // ------------------------------------------------------------------------------------------
  // writes

  private Void writeBlock(BlockModel b, Instant now) {
    PrivateBlockStatus st = blockStatus(b, now);
    for (int attempt = 0; ; attempt++) {
      PrivateBlock desired = new PrivateBlock();
      desired.setMetadata(b.obj.getMetadata());
      desired.setSpec(b.obj.getSpec());
      desired.setStatus(st);
      try {
        PrivateBlock r = api.putStatus(desired, api.blockWrites);
        b.obj = r;
        b.lastLedgerJson = ledgerJson(r);
        b.arrivalsWritten =
            st.getLedger() == null ? b.arrivalsWritten : st.getLedger().getArrivals();
        b.dirty = false;
        b.viewDirty = false;
        b.lastWriteNanos = System.nanoTime();
        return null;
      } catch (Api.Conflict c) {
        PrivateBlock fresh =
            api.get(
                PrivateBlock.class,
                b.obj.getMetadata().getNamespace(),
                b.obj.getMetadata().getName());
        if (fresh == null || !Objects.equals(ledgerJson(fresh), b.lastLedgerJson) || attempt >= 5) {
          throw new Resync("block " + b.id + " was changed by another writer");
        }
        b.obj = fresh; // only its metadata or spec changed: write again on the new version
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          b.gone = true;
          b.dirty = false;
          return null;
        }
        throw e;
      }
    }
  }

  private Void writeClaim(ClaimModel m, Instant now) {
    PrivacyClaimStatus st = claimStatus(m, now);
    for (int attempt = 0; ; attempt++) {
      PrivacyClaim desired = new PrivacyClaim();
      desired.setMetadata(m.obj.getMetadata());
      desired.setSpec(m.obj.getSpec());
      desired.setStatus(st);
      try {
        PrivacyClaim r = api.putStatus(desired, api.claimWrites);
        gates.claim(r); // Allocated is durable now: its pods are released at once
        announce(m, r);
        m.obj = r;
        m.lastStatusJson = statusJson(r);
        m.statusDirty = false;
        m.justWritten = true; // the scheduling thread records the arrival after the phase
        return null;
      } catch (Api.Conflict c) {
        PrivacyClaim fresh =
            api.get(
                PrivacyClaim.class,
                m.obj.getMetadata().getNamespace(),
                m.obj.getMetadata().getName());
        if (fresh == null
            || m.state == ClaimModel.State.GRANTING // a commit is never retried: a fence may be
            || !Objects.equals(fresh.getMetadata().getUid(), m.uid) // what changed the claim
            || !Objects.equals(statusJson(fresh), m.lastStatusJson)
            || attempt >= 5) {
          throw new Resync("claim " + m.key + " was changed by another writer");
        }
        m.obj = fresh;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404 && m.state != ClaimModel.State.GRANTING) {
          m.statusDirty = false;
          return null;
        }
        throw e;
      }
    }
  }

  /** An Event when a claim's phase changes (the status just written says so). */
  private void announce(ClaimModel m, PrivacyClaim written) {
    ClaimPhase before = m.obj.getStatus() == null ? null : m.obj.getStatus().getPhase();
    ClaimPhase after = written.getStatus() == null ? null : written.getStatus().getPhase();
    if (after == null || after == before || after == ClaimPhase.Pending || !cfg.events()) {
      return;
    }
    if (after == ClaimPhase.Denied) {
      events.warning(written, m.reason, m.message);
    } else {
      events.normal(written, m.reason, m.message);
    }
  }

  private interface Sink<T> {
    void accept(T t);
  }

  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> Void removeFinalizer(T obj, String finalizer, Sink<T> sink) {
    T current = obj;
    for (int attempt = 0; ; attempt++) {
      if (!hasFinalizer(current, finalizer)) {
        sink.accept(current);
        return null;
      }
      T copy = Serialization.clone(current);
      copy.getMetadata().getFinalizers().remove(finalizer);
      try {
        T r = api.put(copy);
        sink.accept(r == null ? copy : r);
        return null;
      } catch (Api.Conflict c) {
        T fresh =
            (T)
                api.get(
                    current.getClass(),
                    current.getMetadata().getNamespace(),
                    current.getMetadata().getName());
        if (fresh == null) {
          sink.accept(copy);
          return null;
        }
        if (attempt >= 5) {
          throw new Resync("finalizer of " + Api.key(current) + " kept changing under us");
        }
        current = fresh;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          sink.accept(copy);
          return null;
        }
        throw e;
      }
    }
  }

  private static boolean hasFinalizer(HasMetadata o, String f) {
    return o.getMetadata().getFinalizers() != null && o.getMetadata().getFinalizers().contains(f);
  }

  // ------------------------------------------------------------------------------------------
  // statuses

  private PrivateBlockStatus blockStatus(BlockModel b, Instant now) {
    PrivateBlockStatus st = new PrivateBlockStatus();
    st.setObservedGeneration(b.obj.getMetadata().getGeneration());
    List<Condition> conds = new ArrayList<>();
    if (!b.inEngine) {
      // invalid from the start: it never held budget; any ledger found is kept as it is
      if (b.obj.getStatus() != null && b.obj.getStatus().getLedger() != null) {
        st.setLedger(b.obj.getStatus().getLedger());
        st.setAccounting(b.obj.getStatus().getAccounting());
      }
      st.setPhase(b.deleting ? BlockPhase.Retired : BlockPhase.Active);
      conds.add(
          cond(
              DpfApi.Conditions.VALID,
              false,
              DpfApi.Reasons.INVALID,
              describe(b.problems),
              b,
              now));
      st.setConditions(conds);
      // an invalid block never held budget: nothing to record
      return st;
    }
    BlockState s = engine.block(b.id).orElseThrow();
    BlockLedger l = s.ledger();
    Budget g = l.total();
    st.setAccounting(g.kind() == Budget.Kind.BASIC ? Accounting.Basic : Accounting.Renyi);
    st.setCapacity(Views.view(g));
    st.setUnlocked(Views.view(l.unlocked()));
    st.setAllocated(Views.view(l.allocated()));
    st.setConsumed(Views.view(l.consumed()));
    st.setAvailable(Views.view(l.unlocked()));
    double eps = b.capacity.epsilon();
    double bestLeft = 0;
    double consumedThere = 0;
    for (int i = 0; i < g.dimensions(); i++) {
      if (!b.capacity.usable(i) || g.units(i) == 0) {
        continue;
      }
      double left = (double) l.unlocked().units(i) / g.units(i);
      if (left >= bestLeft) {
        bestLeft = left;
        consumedThere = (double) l.consumed().units(i) / g.units(i);
      }
      if (g.kind() == Budget.Kind.BASIC) {
        break;
      }
    }
    st.setRemainingEpsilon(Views.shown(eps * bestLeft));
    st.setConsumedEpsilon(Views.shown(eps * consumedThere));
    st.setClaimsArrived(s.arrivals());
    boolean exhausted = l.locked().plus(l.unlocked()).fitsEverywhereWithin(g.zero());
    st.setPhase(
        b.deleting ? BlockPhase.Retired : exhausted ? BlockPhase.Exhausted : BlockPhase.Active);
    conds.add(
        b.valid()
            ? cond(DpfApi.Conditions.VALID, true, "Valid", "spec is valid", b, now)
            : cond(
                DpfApi.Conditions.VALID,
                false,
                DpfApi.Reasons.INVALID,
                describe(b.problems) + " (the budget recorded so far stays in force)",
                b,
                now));
    conds.add(
        cond(
            DpfApi.Conditions.AVAILABLE,
            !exhausted,
            exhausted ? DpfApi.Reasons.EXHAUSTED : "BudgetLeft",
            exhausted
                ? "everything is allocated or consumed"
                : "remaining epsilon " + Budget.format(eps * bestLeft),
            b,
            now));
    if (b.deleting) {
      conds.add(
          cond(
              DpfApi.Conditions.DELETION_BLOCKED,
              !b.holds.isEmpty(),
              DpfApi.Reasons.LIVE_GRANTS,
              b.holds.isEmpty()
                  ? "no live grant: the block can go"
                  : b.holds.size()
                      + " live claim(s) hold grants: "
                      + b.holds.values().stream().map(BlockModel.Hold::claim).limit(10).toList(),
              b,
              now));
    }
    st.setConditions(conds);
    BlockLedgerRecord rec = new BlockLedgerRecord();
    rec.setConsumed(Views.units(l.consumed()));
    rec.setUnlockedLevel(Views.units(l.unlocked().plus(l.allocated()).plus(l.consumed())));
    rec.setArrivals(s.arrivals() - (b.unrecorded - b.unrecordedHeld));
    List<HoldRecord> holds = new ArrayList<>();
    b.holds.values().stream()
        .sorted(
            Comparator.comparingLong(BlockModel.Hold::arrival).thenComparing(BlockModel.Hold::uid))
        .forEach(
            h ->
                holds.add(
                    new HoldRecord(h.uid(), h.claim(), Views.units(h.amount()), h.arrival())));
    rec.setHolds(holds);
    st.setLedger(rec);
    return st;
  }

  /**
   * The claim's demand as one epsilon, the largest over its blocks: a curve converted at the
   * block's delta (the printer column {@code Epsilon}); null before its blocks are known.
   */
  private Double demandEpsilon(ClaimModel m) {
    Double most = null;
    for (int i = 0; i < m.demands.size() && i < m.blocks.size(); i++) {
      Budget d = m.demands.get(i);
      double e;
      if (d.kind() == Budget.Kind.BASIC) {
        e = d.epsilon();
      } else {
        BlockModel b = blocks.get(m.blocks.get(i));
        Double delta = b == null ? null : b.obj.getSpec().getBudget().getDelta();
        if (delta == null || !(delta > 0 && delta < 1)) {
          continue;
        }
        e = cfg.conversion().toEpsilon(d, delta).epsilon();
      }
      if (Double.isFinite(e) && (most == null || e > most)) {
        most = e;
      }
    }
    return most;
  }

  private PrivacyClaimStatus claimStatus(ClaimModel m, Instant now) {
    PrivacyClaimStatus st = new PrivacyClaimStatus();
    st.setPhase(m.phase);
    st.setReason(m.reason);
    st.setMessage(m.message);
    st.setObservedGeneration(m.obj.getMetadata().getGeneration());
    st.setArrivedAt(m.arrivedAt);
    st.setAllocatedAt(m.allocatedAt);
    st.setFinishedAt(m.finishedAt);
    Double demandEps = demandEpsilon(m);
    st.setEpsilon(demandEps == null ? null : Views.shown(demandEps));
    if (m.arrival >= 0) {
      st.setBlocks(m.blocks);
      st.setArrival(m.arrival);
      st.setBlockCount(m.blocks.size());
    }
    List<Condition> conds = new ArrayList<>();
    boolean invalid = DpfApi.Reasons.INVALID.equals(m.reason);
    conds.add(
        cond(
            DpfApi.Conditions.VALID,
            !invalid,
            invalid ? DpfApi.Reasons.INVALID : "Valid",
            invalid ? m.message : "spec is valid",
            m.obj,
            now));
    boolean holds =
        m.phase == ClaimPhase.Allocated
            || m.phase == ClaimPhase.Consumed
            || m.phase == ClaimPhase.Released;
    if (holds) {
      List<GrantView> gv = new ArrayList<>();
      for (int i = 0; i < m.blocks.size(); i++) {
        GrantView v = new GrantView();
        v.setBlock(m.blocks.get(i));
        v.setAmount(Views.view(m.demands.get(i)));
        v.setUnits(Views.units(m.demands.get(i)));
        gv.add(v);
      }
      st.setGrants(gv);
    }
    if (m.phase == ClaimPhase.Consumed && m.spent != null) {
      List<GrantView> sv = new ArrayList<>();
      for (int i = 0; i < m.blocks.size(); i++) {
        GrantView v = new GrantView();
        v.setBlock(m.blocks.get(i));
        v.setAmount(Views.view(m.spent.get(i)));
        v.setUnits(Views.units(m.spent.get(i)));
        sv.add(v);
      }
      st.setSpent(sv);
    }
    if (m.phase == ClaimPhase.Pending) {
      st.setQueuePosition(m.position);
      st.setBlockingBlock(m.blocking);
      st.setDominantShare(m.dominantShare);
    }
    conds.add(
        cond(
            DpfApi.Conditions.ALLOCATED,
            m.phase == ClaimPhase.Allocated,
            m.reason,
            m.message,
            m.obj,
            now));
    boolean finished =
        m.phase == ClaimPhase.Consumed
            || m.phase == ClaimPhase.Released
            || m.phase == ClaimPhase.Denied;
    conds.add(cond(DpfApi.Conditions.FINISHED, finished, m.reason, m.message, m.obj, now));
    st.setConditions(conds);
    return st;
  }

  private static Condition cond(
      String type, boolean status, String reason, String message, Object owner, Instant now) {
    HasMetadata o = owner instanceof BlockModel b ? b.obj : (HasMetadata) owner;
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason == null ? "Unknown" : reason)
        .withMessage(message == null ? "" : message)
        .withObservedGeneration(o.getMetadata().getGeneration())
        .withLastTransitionTime(now.toString())
        .build();
  }

  static String ledgerJson(PrivateBlock b) {
    if (b.getStatus() == null || b.getStatus().getLedger() == null) {
      return null;
    }
    try {
      return Serialization.jsonMapper().writeValueAsString(b.getStatus().getLedger());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The whole status: any status write by someone else (a fence) shows as a difference. */
  static String statusJson(PrivacyClaim c) {
    if (c.getStatus() == null) {
      return null;
    }
    try {
      return Serialization.jsonMapper().writeValueAsString(c.getStatus());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------------------------------
  // rebuilding from the API server

  /**
   * Reads every block and claim and rebuilds the engine. A hold whose claim is Allocated is a live
   * grant; one whose claim is Consumed or Released is folded now (its intent is durable); one whose
   * claim is not committed (Pending, no status, Denied) is undone after fencing the claim; one
   * whose claim is gone is counted as consumed (it may have been spent).
   */
  void resync() {
    resyncs.incrementAndGet();
    ready = false;
    Instant now = clock.instant();
    inbox.clear(); // everything queued so far is older than the lists below; later events replay
    List<PrivateBlock> blockList = api.listBlocks();
    List<PrivacyClaim> claimList = api.listClaims();
    engine = new SchedulingEngine(policy);
    blocks.clear();
    claims.clear();
    selecting.clear();
    nextArrival = 0;

    Map<String, List<BlockModel.Hold>> holdsByClaim = new HashMap<>();
    Map<String, Budget> folds = new HashMap<>();
    for (PrivateBlock b : blockList) {
      BlockModel m = new BlockModel(Selection.id(b), b);
      blocks.put(m.id, m);
      m.lastLedgerJson = ledgerJson(b);
      m.deleting = b.getMetadata().getDeletionTimestamp() != null;
      BlockLedgerRecord rec = b.getStatus() == null ? null : b.getStatus().getLedger();
      Accounting recorded = rec == null ? null : b.getStatus().getAccounting();
      m.problems =
          (recorded == null
                  ? validator
                  : new ResourceValidator(
                      new ResourceValidator.Settings(cfg.orders(), recorded, cfg.conversion())))
              .validate(b);
      if (rec == null && !m.valid()) {
        m.dirty = true; // it never held budget: its status says why it is invalid
        continue;
      }
      if (rec != null && !m.valid()) {
        // it held budget once: its ledger stays in force (a spec edit cannot erase it)
        LOG.warn(
            "block {} no longer validates ({}); its ledger stays in force",
            m.id,
            describe(m.problems));
        m.keepDespiteProblems = true;
        m.dirty = true; // its status says so
      }
      if (rec != null && rec.getHolds() != null) {
        for (HoldRecord h : rec.getHolds()) {
          nextArrival = Math.max(nextArrival, (h.getArrival() == null ? 0 : h.getArrival()) + 1);
        }
      }
    }
    for (PrivacyClaim c : claimList) {
      PrivacyClaimStatus s = c.getStatus();
      if (s != null && s.getArrival() != null) {
        nextArrival = Math.max(nextArrival, s.getArrival() + 1);
      }
    }
    // restore each block's ledger from its record
    for (BlockModel m : blocks.values()) {
      if (!m.valid() && !m.keepDespiteProblems) {
        continue;
      }
      PrivateBlock b = m.obj;
      BlockLedgerRecord rec = b.getStatus() == null ? null : b.getStatus().getLedger();
      try {
        admitShape(m, now, rec == null ? null : b.getStatus().getAccounting());
      } catch (RuntimeException e) {
        m.frozen = true; // its ledger cannot be interpreted: never written, never granted on
        m.problems = List.of(new Problem("spec", null, "cannot read the block: " + e.getMessage()));
        LOG.error("block {}: {}; its ledger is left untouched", m.id, e.getMessage());
        continue;
      }
      Budget g = m.capacity.capacity();
      Budget consumed = g.zero();
      Budget level = g.zero();
      if (rec != null) {
        try {
          consumed = Views.budget(g, rec.getConsumed(), "status.ledger.consumed");
          level = Views.budget(g, rec.getUnlockedLevel(), "status.ledger.unlockedLevel");
          m.arrivalsWritten = rec.getArrivals() == null ? 0 : rec.getArrivals();
          if (rec.getHolds() != null) {
            for (HoldRecord h : rec.getHolds()) {
              BlockModel.Hold hold =
                  new BlockModel.Hold(
                      m.id,
                      h.getUid(),
                      h.getClaim(),
                      Views.budget(g, h.getAmount(), "status.ledger.holds[" + h.getUid() + "]"),
                      h.getArrival() == null ? 0 : h.getArrival());
              m.holds.put(h.getUid(), hold);
              holdsByClaim.computeIfAbsent(h.getUid(), k -> new ArrayList<>()).add(hold);
            }
          }
        } catch (IllegalArgumentException e) {
          m.problems =
              List.of(
                  new Problem(
                      "status.ledger",
                      null,
                      "the recorded ledger is unreadable: " + e.getMessage()));
          freeze(m, holdsByClaim);
          LOG.error("block {}: {}; its ledger is left untouched", m.id, e.getMessage());
          continue;
        }
      }
      folds.put(m.id, consumed);
      if (rec == null) {
        m.dirty = true; // never written by a scheduler: its first status (and ledger) now
      }
      m.lastLedgerJson = ledgerJson(b);
      // level recorded is checked again below, once holds are known
      m.levelRecorded = level;
    }

    // classify claims
    Map<String, Long> live = new HashMap<>();
    List<ClaimRequest> waiting = new ArrayList<>();
    TreeMap<String, Grant> allocated = new TreeMap<>();
    List<ClaimModel> arrivals = new ArrayList<>();
    List<ClaimModel> fences = new ArrayList<>();
    for (PrivacyClaim c : claimList) {
      ClaimModel m = new ClaimModel(c);
      claims.put(m.uid, m);
      m.lastStatusJson = statusJson(c);
      PrivacyClaimStatus s = c.getStatus();
      ClaimPhase phase = s == null ? null : s.getPhase();
      List<BlockModel.Hold> hs = holdsByClaim.remove(m.uid);
      if (s != null) {
        m.arrivedAt = s.getArrivedAt();
        m.allocatedAt = s.getAllocatedAt();
        m.finishedAt = s.getFinishedAt();
        m.phase = phase;
        m.reason = s.getReason();
        m.message = s.getMessage();
        if (s.getArrival() != null && s.getBlocks() != null) {
          m.arrival = s.getArrival();
          m.blocks = List.copyOf(s.getBlocks());
          m.recorded = true;
        }
      }
      if (m.recorded) {
        // a claim whose record is durable counts once on each of its blocks; an unrecorded one
        // was left out of every count written, and arrives again below
        m.blocks.forEach(id -> live.merge(id, 1L, Long::sum));
      }

      if (hs != null && phase == ClaimPhase.Allocated) {
        m.state = ClaimModel.State.ALLOCATED;
        List<String> ids = new ArrayList<>();
        List<Budget> amounts = new ArrayList<>();
        for (String id : m.blocks) {
          BlockModel.Hold h = blocks.get(id) == null ? null : blocks.get(id).holds.get(m.uid);
          if (h == null) {
            LOG.error("claim {} is Allocated but block {} does not hold its grant", m.key, id);
            continue;
          }
          ids.add(id);
          amounts.add(h.amount());
        }
        m.blocks = ids;
        m.demands = amounts;
        allocated.put(m.uid, new Grant(m.uid, ids, amounts));
        if (c.getSpec().getSpent() != null || m.deleting()) {
          m.pendingEvent = true; // finish it after the engine is built
        }
      } else if (hs != null && (phase == ClaimPhase.Consumed || phase == ClaimPhase.Released)) {
        // the intent is durable: fold what is left of its holds now
        m.state = ClaimModel.State.FINISHING;
        m.blocks = hs.stream().map(Scheduler::blockOfHold).toList();
        m.demands = hs.stream().map(BlockModel.Hold::amount).toList();
        List<Budget> spent =
            phase == ClaimPhase.Released
                ? m.demands.stream().map(Budget::zero).toList()
                : recordedSpend(s, m.blocks, m.demands);
        for (int i = 0; i < hs.size(); i++) {
          BlockModel b = blocks.get(m.blocks.get(i));
          b.holds.remove(m.uid);
          folds.merge(b.id, spent.get(i), Budget::plus);
          b.dirty = true;
        }
      } else if (hs != null) {
        // holds of a grant that was never committed: fence the claim, then undo them
        for (BlockModel.Hold h : hs) {
          BlockModel b = blocks.get(blockOfHold(h));
          b.holds.remove(m.uid);
          b.dirty = true;
        }
        // the fence: a write to the claim before its holds go, so that a scheduler that was
        // about to commit it fails with 409; an unrecorded claim arrives again (below) and its
        // fence records that arrival, so the counts written with its holds must lose it first
        fences.add(m);
        if (!m.recorded) {
          for (BlockModel.Hold h : hs) {
            BlockModel b = blocks.get(blockOfHold(h));
            b.arrivalsWritten = Math.max(0, b.arrivalsWritten - 1);
          }
        }
        if (phase == ClaimPhase.Denied) {
          m.state = ClaimModel.State.DONE;
        } else {
          resumeOrArrive(m, waiting, arrivals);
        }
      } else if (phase == null || phase == ClaimPhase.Pending) {
        resumeOrArrive(m, waiting, arrivals);
      } else {
        m.state = ClaimModel.State.DONE;
        if (phase == ClaimPhase.Allocated) {
          LOG.error("claim {} is Allocated but no block holds its grant; left as is", m.key);
        }
      }
    }
    // holds of claims that no longer exist: they may have been spent, so they count as consumed
    for (Map.Entry<String, List<BlockModel.Hold>> e : holdsByClaim.entrySet()) {
      for (BlockModel.Hold h : e.getValue()) {
        BlockModel b = blocks.get(blockOfHold(h));
        b.holds.remove(e.getKey());
        folds.merge(b.id, h.amount(), Budget::plus);
        b.dirty = true;
        LOG.warn("block {}: claim {} is gone; its hold counts as consumed", b.id, h.claim());
      }
    }

    // the engine: blocks with their ledgers, live grants, waiting claims
    TreeMap<String, BlockState> states = new TreeMap<>();
    for (BlockModel m : blocks.values()) {
      if ((!m.valid() && !m.keepDespiteProblems) || m.frozen || m.capacity == null) {
        continue;
      }
      Budget g = m.capacity.capacity();
      Budget consumed = folds.get(m.id);
      Budget alloc = g.zero();
      for (BlockModel.Hold h : m.holds.values()) {
        alloc = alloc.plus(h.amount());
      }
      Budget level = m.levelRecorded.max(consumed.plus(alloc)).min(g);
      try {
        BlockLedger l =
            BlockLedger.restore(
                m.capacity, g.minus(level), level.minus(alloc).minus(consumed), alloc, consumed);
        long arrivals2 = Math.max(m.arrivalsWritten, live.getOrDefault(m.id, 0L));
        m.arrivalsWritten = arrivals2;
        states.put(m.id, new BlockState(m.id, l, m.rule, m.start, arrivals2).unlockedAt(now));
        m.inEngine = true;
      } catch (LedgerException | IllegalArgumentException ex) {
        m.problems =
            List.of(
                new Problem(
                    "status.ledger",
                    null,
                    "the recorded ledger breaks an invariant: " + ex.getMessage()));
        m.frozen = true;
        LOG.error("block {}: {}; its ledger is left untouched", m.id, ex.getMessage());
      }
    }
    // grants on a block that could not be restored keep their hold there, untouched (budget held
    // for good is the safe side); the engine tracks them on their other blocks
    for (Map.Entry<String, Grant> e : new ArrayList<>(allocated.entrySet())) {
      Grant g = e.getValue();
      if (g.blocks().stream().allMatch(states::containsKey)) {
        continue;
      }
      ClaimModel m = claims.get(g.claimId());
      List<String> ids = new ArrayList<>();
      List<Budget> amounts = new ArrayList<>();
      for (int i = 0; i < g.blocks().size(); i++) {
        if (states.containsKey(g.blocks().get(i))) {
          ids.add(g.blocks().get(i));
          amounts.add(g.amounts().get(i));
        }
      }
      m.blocks = ids;
      m.demands = amounts;
      allocated.put(g.claimId(), new Grant(g.claimId(), ids, amounts));
    }
    waiting.removeIf(
        r -> {
          for (String id : r.blocks()) {
            if (!states.containsKey(id)) {
              ClaimModel m = claims.get(r.id());
              deny(m, DpfApi.Reasons.NO_MATCHING_BLOCKS, "block " + id + " no longer exists");
              return true;
            }
          }
          return false;
        });
    engine = SchedulingEngine.restore(policy, new Snapshot(states, waiting, allocated));
    for (ClaimModel m : arrivals) {
      arrive(m, now);
    }
    for (BlockModel b : blocks.values()) {
      if (b.deleting) {
        denyWaitingOn(b);
      }
    }
    for (ClaimModel m : fences) {
      if (m.state == ClaimModel.State.WAITING) {
        m.phase = ClaimPhase.Pending;
        m.reason = DpfApi.Reasons.WAITING_FOR_BUDGET;
        m.message = "a grant interrupted by a restart was undone; waiting again";
      }
      m.statusDirty = true;
    }
    writeClaims(fences, now);
    polled.clear();
    for (PrivacyClaim c : claimList) {
      gates.claim(c); // fences were written (and handed over) above; older versions are ignored
    }
    for (ClaimModel m : new ArrayList<>(claims.values())) {
      if (m.pendingEvent || m.state == ClaimModel.State.ALLOCATED) {
        m.pendingEvent = false;
        react(m); // spent reported, deleted, or its workload ended while nobody watched
      }
    }
    gates.ready();
    LOG.info(
        "state rebuilt: {} blocks, {} claims ({} waiting, {} allocated)",
        blocks.size(),
        claims.size(),
        engine.waitingCount(),
        allocated.size());
    // persist what the rebuild decided (folds, undos, denials) with an immediate pass
    Decision d = engine.pass(now);
    persist(d, now);
  }

  /**
   * The spend a Consumed intent recorded for each block, in exact units, capped at the hold; the
   * whole hold where none is recorded (spent budget is never given back on a guess).
   */
  private static List<Budget> recordedSpend(
      PrivacyClaimStatus s, List<String> ids, List<Budget> held) {
    Map<String, List<Long>> recorded = new HashMap<>();
    if (s.getSpent() != null) {
      for (GrantView v : s.getSpent()) {
        if (v.getBlock() != null && v.getUnits() != null) {
          recorded.put(v.getBlock(), v.getUnits());
        }
      }
    }
    List<Budget> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Budget h = held.get(i);
      List<Long> u = recorded.get(ids.get(i));
      Budget spent;
      try {
        spent = u == null ? h : Views.budget(h, u, "status.spent").min(h);
      } catch (IllegalArgumentException e) {
        spent = h;
      }
      out.add(spent);
    }
    return out;
  }

  /** A block whose ledger cannot be read: never written, its holds out of every claim's grant. */
  private static void freeze(BlockModel m, Map<String, List<BlockModel.Hold>> holdsByClaim) {
    m.frozen = true;
    for (BlockModel.Hold h : m.holds.values()) {
      List<BlockModel.Hold> hs = holdsByClaim.get(h.uid());
      if (hs != null) {
        hs.remove(h);
        if (hs.isEmpty()) {
          holdsByClaim.remove(h.uid());
        }
      }
    }
    m.holds.clear();
  }

  /** Blocks are named in holds by the id of the block that holds them. */
  private static String blockOfHold(BlockModel.Hold h) {
    return h.blockId();
  }

  private void admitShape(BlockModel m, Instant now, Accounting recorded) {
    PrivateBlockSpec spec = m.obj.getSpec();
    Accounting acc =
        recorded != null
            ? recorded
            : spec.getAccounting() == null ? cfg.defaultAccounting() : spec.getAccounting();
    double delta = spec.getBudget().getDelta() == null ? 0 : spec.getBudget().getDelta();
    m.capacity =
        acc == Accounting.Basic
            ? BlockCapacity.basic(spec.getBudget().getEpsilon(), delta)
            : BlockCapacity.renyi(
                spec.getBudget().getEpsilon(), delta, cfg.orders(), cfg.conversion());
    try {
      m.rule = unlockRule(spec.getUnlock());
    } catch (RuntimeException e) {
      m.rule = unlockRule(null); // an edited override that does not hold: the operator's policy
    }
    String created = m.obj.getMetadata().getCreationTimestamp();
    m.start = created == null ? now : OffsetDateTime.parse(created).toInstant();
  }

  private void resumeOrArrive(ClaimModel m, List<ClaimRequest> waiting, List<ClaimModel> arrivals) {
    if (m.deleting()) {
      m.state = ClaimModel.State.DONE;
      return;
    }
    if (m.recorded && m.arrival >= 0) {
      try {
        for (String id : m.blocks) {
          BlockModel b = blocks.get(id);
          if (b == null || b.capacity == null) {
            deny(m, DpfApi.Reasons.NO_MATCHING_BLOCKS, "block " + id + " no longer exists");
            return;
          }
        }
        m.demands = demandsOn(m.obj, m.blocks);
      } catch (RuntimeException e) {
        deny(m, DpfApi.Reasons.INVALID, "spec.demand: " + e.getMessage());
        return;
      }
      m.deadline = deadline(m.obj);
      m.state = ClaimModel.State.WAITING;
      waiting.add(new ClaimRequest(m.uid, m.blocks, m.demands, m.arrival, m.deadline));
    } else {
      arrivals.add(m);
    }
  }
}
