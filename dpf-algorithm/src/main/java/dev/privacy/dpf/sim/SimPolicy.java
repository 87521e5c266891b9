package dev.privacy.dpf.sim;

/**
 * A scheduling policy the simulator can run. A new policy plugs in by implementing this interface
 * (see {@link EnginePolicy} for policies on the core's {@link
 * dev.privacy.dpf.sched.SchedulingEngine}); the simulator does not change.
 */
public interface SimPolicy {

  /** The policy's short name, e.g. {@code dpf-n}. */
  String name();

  /** The name with its parameter, e.g. {@code dpf-n N=100}. */
  String describe();

  /** Starts a run on the given trace. */
  SimScheduler start(Trace trace);
}
