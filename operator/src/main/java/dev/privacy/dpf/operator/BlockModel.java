package dev.privacy.dpf.operator;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.crds.PrivateBlock;
import dev.privacy.dpf.crds.validation.Problem;
import dev.privacy.dpf.sched.UnlockRule;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the scheduler knows of one block besides its budget numbers (kept by the engine). */
final class BlockModel {

  /** Budget a live claim holds on the block: one entry of the block's durable ledger. */
  record Hold(String blockId, String uid, String claim, Budget amount, long arrival) {}

  final String id;
  PrivateBlock obj;
  List<Problem> problems = List.of();
  BlockCapacity capacity;
  UnlockRule rule;
  Instant start;
  boolean inEngine;
  boolean deleting;
  boolean gone;

  /** It held budget once but no longer validates: its ledger stays in force. */
  boolean keepDespiteProblems;

  /** Its ledger cannot be read: never written, never granted on. */
  boolean frozen;

  /** Live holds by claim UID: the durable ledger's entries as they will be written next. */
  final Map<String, Hold> holds = new LinkedHashMap<>();

  /** The status is to be written in the next write phase. */
  boolean dirty;

  /** Only its views changed (unlocking, arrivals): written when {@link #lastWriteNanos} is old. */
  boolean viewDirty;

  long lastWriteNanos;

  /** The unlocked level recorded in its ledger (restore only). */
  Budget levelRecorded;

  /**
   * Claims counted as arrived here whose arrival record is not yet durable in their own status: the
   * count written leaves them out, so that a restart that sees them arrive again counts them once.
   */
  int unrecorded;

  /**
   * Of those, the ones whose hold is in this block's next write: the hold records the arrival, so
   * the count written includes them (a restart that finds such a hold of a claim that was never
   * recorded takes it off again before the claim arrives anew).
   */
  int unrecordedHeld;

  /** The arrival count last written (or read). */
  long arrivalsWritten;

  /** The status last written or read, to tell our own echo from another writer's. */
  String lastLedgerJson;

  BlockModel(String id, PrivateBlock obj) {
    this.id = id;
    this.obj = obj;
  }

  boolean valid() {
    return problems.isEmpty();
  }

  boolean selectable() {
    return valid() && inEngine && !deleting && !gone;
  }
}
