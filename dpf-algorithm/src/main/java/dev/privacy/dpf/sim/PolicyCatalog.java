package dev.privacy.dpf.sim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The policies a sweep can name, each built from the sweep's parameter {@code N} (for time-driven
 * policies {@code T = N x} the workload's mean arrival interval, as in the paper's simulator). A
 * new policy is added with {@link #with}; neither the simulator nor the sweep changes.
 */
public final class PolicyCatalog {

  /** Builds a policy from {@code N} and the workload's mean arrival interval. */
  @FunctionalInterface
  public interface Factory {
    SimPolicy create(int n, Duration arrivalInterval);
  }

  /**
   * One entry.
   *
   * @param name the policy's name
   * @param parameterized whether it takes {@code N} (FCFS does not: it runs once per point)
   * @param timeDriven whether {@code N} means {@code T = N x} the arrival interval
   * @param basicOnly whether it only supports basic accounting
   * @param factory how to build it
   */
  public record Entry(
      String name, boolean parameterized, boolean timeDriven, boolean basicOnly, Factory factory) {
    public Entry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(factory, "factory");
    }

    /** Whether it can run under the given accounting. */
    public boolean supports(Accounting a) {
      return !(basicOnly && a.isRenyi());
    }

    /** {@code T} for a given {@code N}, or null if it is not time driven. */
    public Duration lifetime(int n, Duration arrivalInterval) {
      return timeDriven ? arrivalInterval.multipliedBy(n) : null;
    }
  }

  private final Map<String, Entry> entries;

  private PolicyCatalog(Map<String, Entry> entries) {
    this.entries = entries;
  }

  /** FCFS, DPF-N, DPF-T, RR-N and RR-T. */
  public static PolicyCatalog standard() {
    Map<String, Entry> m = new LinkedHashMap<>();
    put(m, new Entry("fcfs", false, false, false, (n, i) -> EnginePolicy.fcfs()));
    put(m, new Entry("dpf-n", true, false, false, (n, i) -> EnginePolicy.dpfN(n)));
    put(m, new Entry("dpf-t", true, true, false, (n, i) -> EnginePolicy.dpfT(i.multipliedBy(n))));
    put(m, new Entry("rr-n", true, false, true, (n, i) -> RoundRobinPolicy.perArrival(n)));
    put(
        m,
        new Entry(
            "rr-t", true, true, true, (n, i) -> RoundRobinPolicy.overTime(i.multipliedBy(n))));
    return new PolicyCatalog(m);
  }

  private static void put(Map<String, Entry> m, Entry e) {
    m.put(e.name(), e);
  }

  /** This catalog with one more policy (or a replaced one of the same name). */
  public PolicyCatalog with(Entry e) {
    Map<String, Entry> m = new LinkedHashMap<>(entries);
    put(m, e);
    return new PolicyCatalog(m);
  }

  /** The entry of the given name. */
  public Entry get(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException(
          "unknown policy '" + name + "'; known: " + String.join(", ", names()));
    }
    return e;
  }

  /** The names, in catalog order. */
  public List<String> names() {
    return List.copyOf(entries.keySet());
  }
}
