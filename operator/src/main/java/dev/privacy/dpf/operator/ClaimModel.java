package dev.privacy.dpf.operator;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.PrivacyClaim;
import java.time.Instant;
import java.util.List;

/** What the scheduler knows of one claim, keyed by its UID. */
final class ClaimModel {

  enum State {
    /** No block matched yet: tried again for a short grace period (blocks may be on the way). */
    SELECTING,
    /** In the engine's queue. */
    WAITING,
    /** Granted by this pass; its holds are being written, its status not yet. */
    GRANTING,
    /** Allocated, durably (its status says so, and every block holds its grant). */
    ALLOCATED,
    /** Consumed or Released durably; its holds are being folded into the blocks. */
    FINISHING,
    /** Denied, or finished with every hold folded. */
    DONE
  }

  final String uid;
  final String key;
  PrivacyClaim obj;
  State state;

  /** The blocks it arrived on (ids) and its demand on each, in the same order. */
  List<String> blocks = List.of();

  List<Budget> demands = List.of();
  long arrival = -1;
  Instant deadline;
  String arrivedAt;
  String allocatedAt;
  String finishedAt;

  /** Whether its arrival record (blocks, arrival number) is durable in its status. */
  boolean recorded;

  /** A writer thread just wrote its status (handled on the scheduling thread). */
  volatile boolean justWritten;

  /** Counted in its blocks' {@link BlockModel#unrecorded} until its record is durable. */
  boolean countedUnrecorded;

  /** The phase its next status write sets, with the reason and message. */
  ClaimPhase phase;

  String reason;
  String message;
  boolean statusDirty;

  /** A status write that must land before its blocks are written (finish intent or fence). */
  boolean writeFirst;

  /** What it spent on each block (Consumed), for the status. */
  List<Budget> spent;

  /** Waiting info last written. */
  Integer position;

  String blocking;
  Double dominantShare;

  /** Rebuilt from the server with an event still to act on (spent reported, deleted). */
  boolean pendingEvent;

  long lastPendingWriteNanos;

  /** Being deleted while a released pod may still start (logged once). */
  boolean waitingForPods;

  /** The JSON of the status last written or read, to tell our echo from another writer's. */
  String lastStatusJson;

  ClaimModel(PrivacyClaim obj) {
    this.uid = obj.getMetadata().getUid();
    this.key = Api.key(obj);
    this.obj = obj;
  }

  boolean deleting() {
    return obj.getMetadata().getDeletionTimestamp() != null;
  }
}
