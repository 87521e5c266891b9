package dev.privacy.dpf.sim;

import java.time.Instant;

/** The simulator's clock: nanoseconds of virtual time from the Unix epoch. */
final class VirtualTime {

  private VirtualTime() {}

  /** The instant of a point of virtual time. */
  static Instant instant(long nanos) {
    return Instant.EPOCH.plusNanos(nanos);
  }
}
