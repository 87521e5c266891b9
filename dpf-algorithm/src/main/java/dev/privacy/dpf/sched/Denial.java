package dev.privacy.dpf.sched;

/**
 * A claim refused for good.
 *
 * @param claimId the claim
 * @param reason why, from a closed set
 * @param message for the user: names the field or the block and the numbers
 */
public record Denial(String claimId, DenialReason reason, String message) {}
