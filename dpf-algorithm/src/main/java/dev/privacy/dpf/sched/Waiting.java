package dev.privacy.dpf.sched;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Why a claim is still waiting after a pass: its place in the queue, its dominant share, and the
 * block and numbers that stop it. The message is worded only when asked for (a pass can leave
 * 100,000 claims waiting, and the operator writes only some of them), then kept.
 */
public final class Waiting {

  private final String claimId;
  private final int position;
  private final double dominantShare;
  private final String blockingBlock;
  private Supplier<String> wording;
  private String message;

  /**
   * A waiting claim.
   *
   * @param claimId the claim
   * @param position its place in the queue, 1 being next
   * @param dominantShare its largest share of any block's capacity
   * @param blockingBlock the first of its blocks where the demand does not fit now (null if none)
   * @param wording words the message: the block and the numbers that stop the claim
   */
  public Waiting(
      String claimId,
      int position,
      double dominantShare,
      String blockingBlock,
      Supplier<String> wording) {
    this.claimId = Objects.requireNonNull(claimId, "claimId");
    this.position = position;
    this.dominantShare = dominantShare;
    this.blockingBlock = blockingBlock;
    this.wording = Objects.requireNonNull(wording, "wording");
  }

  /** The claim. */
  public String claimId() {
    return claimId;
  }

  /** Its place in the queue, 1 being next. */
  public int position() {
    return position;
  }

  /** Its largest share of any block's capacity. */
  public double dominantShare() {
    return dominantShare;
  }

  /** The first of its blocks where the demand does not fit now, or null. */
  public String blockingBlock() {
    return blockingBlock;
  }

  /** The block and the numbers that stop the claim. */
  public synchronized String message() {
    if (message == null) {
      message = wording.get();
      wording = null;
    }
    return message;
  }

  @Override
  public boolean equals(Object o) {
    return this == o
        || (o instanceof Waiting w
            && claimId.equals(w.claimId)
            && position == w.position
            && Double.compare(dominantShare, w.dominantShare) == 0
            && Objects.equals(blockingBlock, w.blockingBlock)
            && message().equals(w.message()));
  }

  @Override
  public int hashCode() {
    return Objects.hash(claimId, position, blockingBlock);
  }

  @Override
  public String toString() {
    return "Waiting[" + claimId + " #" + position + ": " + message() + "]";
  }
}
