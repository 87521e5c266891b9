package dev.privacy.dpf.sched;

/**
 * Why a claim is still waiting after a pass.
 *
 * @param claimId the claim
 * @param position its place in the queue, 1 being next
 * @param dominantShare its largest share of any block's capacity
 * @param blockingBlock the first of its blocks where the demand does not fit now (null if none)
 * @param message the block and the numbers that stop it
 */
public record Waiting(
    String claimId, int position, double dominantShare, String blockingBlock, String message) {}
