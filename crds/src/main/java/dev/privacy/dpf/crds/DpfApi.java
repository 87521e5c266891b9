package dev.privacy.dpf.crds;

/**
 * The API contract in one place: group, version, kinds, the label, gate and annotation keys,
 * finalizer names, condition types and reasons. Everything else refers to these constants.
 */
public final class DpfApi {

  private DpfApi() {}

  /** The API group. */
  public static final String GROUP = "dpf.privacy.dev";

  /** The API version. */
  public static final String VERSION = "v1alpha1";

  /** {@code group/version}. */
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** Kind of a data block with a privacy budget. */
  public static final String KIND_BLOCK = "PrivateBlock";

  /** Kind of a request for budget. */
  public static final String KIND_CLAIM = "PrivacyClaim";

  /** Plural resource name of blocks. */
  public static final String PLURAL_BLOCKS = "privateblocks";

  /** Plural resource name of claims. */
  public static final String PLURAL_CLAIMS = "privacyclaims";

  /** Short name of blocks ({@code kubectl get pb}). */
  public static final String SHORT_BLOCK = "pb";

  /** Short name of claims ({@code kubectl get pcl}). */
  public static final String SHORT_CLAIM = "pcl";

  /** Pod label naming the claim a pod runs under: {@code dpf.privacy.dev/claim: <claim-name>}. */
  public static final String LABEL_CLAIM = GROUP + "/claim";

  /** Scheduling gate that keeps a pod unscheduled until its claim is Allocated. */
  public static final String GATE_BUDGET = GROUP + "/budget";

  /** Namespace label that turns on enforcement ({@code "true"}). */
  public static final String LABEL_ENFORCE = GROUP + "/enforce";

  /** Annotation on a gated pod saying why it is still gated. */
  public static final String ANNOTATION_GATE_REASON = GROUP + "/gate-reason";

  /**
   * Annotation the operator puts on a pod when it releases it: the UID of the claim it was released
   * for, so that a claim re-created under the same name is never judged by the old one's pods.
   */
  public static final String ANNOTATION_CLAIM_UID = GROUP + "/claim-uid";

  /**
   * Finalizer on a pod the operator released (it removed the gate): the pod's object stays until
   * the operator has seen whether it ran and the claim's outcome (Consumed or Released) is durable.
   */
  public static final String FINALIZER_POD = GROUP + "/pod-tracking";

  /** Finalizer on a claim: its grant is settled (consumed or released) before it goes away. */
  public static final String FINALIZER_CLAIM = GROUP + "/claim-ledger";

  /** Finalizer on a block: it goes away only once no live claim holds a grant on it. */
  public static final String FINALIZER_BLOCK = GROUP + "/block-ledger";

  /** Condition types. */
  public static final class Conditions {
    private Conditions() {}

    /** Claim: the demand is granted on every selected block. */
    public static final String ALLOCATED = "Allocated";

    /** Claim: the claim is finished (Consumed, Released or Denied). */
    public static final String FINISHED = "Finished";

    /** Block or claim: the spec passed validation. */
    public static final String VALID = "Valid";

    /** Block: deletion waits for live grants to finish. */
    public static final String DELETION_BLOCKED = "DeletionBlocked";

    /** Block: budget is left to grant. */
    public static final String AVAILABLE = "Available";
  }

  /** Reasons, the closed set used in conditions and {@code status.reason}. */
  public static final class Reasons {
    private Reasons() {}

    public static final String PENDING = "Pending";
    public static final String WAITING_FOR_BUDGET = "WaitingForBudget";
    public static final String GRANTED = "Granted";
    public static final String CONSUMED = "Consumed";
    public static final String RELEASED = "Released";
    public static final String INVALID = "Invalid";
    public static final String NO_MATCHING_BLOCKS = "NoMatchingBlocks";
    public static final String FORBIDDEN = "Forbidden";
    public static final String INFEASIBLE = "Infeasible";
    public static final String TIMEOUT = "Timeout";
    public static final String LIVE_GRANTS = "LiveGrants";
    public static final String EXHAUSTED = "Exhausted";

    /** Pod: its claim was denied or has finished, so the pod will never be released. */
    public static final String BUDGET_DENIED = "BudgetDenied";

    /** Pod: its claim is Allocated and the budget gate was removed. */
    public static final String BUDGET_GRANTED = "BudgetGranted";
  }
}
