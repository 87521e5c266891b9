package dev.privacy.dpf.sched;

import static dev.privacy.dpf.sched.Fixtures.T0;
import static dev.privacy.dpf.sched.Fixtures.basicBlock;
import static dev.privacy.dpf.sched.Fixtures.claim;
import static dev.privacy.dpf.sched.Fixtures.engine;
import static dev.privacy.dpf.sched.Fixtures.eps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EngineBlockRemovalTest {

  @Test
  void aBlockGoesOnlyOnceNoClaimRefersToIt() {
    SchedulingEngine e =
        engine(
            Policy.dpf(),
            basicBlock("a", 1.0, new UnlockRule.AllAtOnce()),
            basicBlock("b", 1.0, new UnlockRule.AllAtOnce()));
    e.arrive(claim("held", 1, eps(0.5), "a"), T0);
    e.arrive(claim("waits", 2, eps(0.9), "a", "b"), T0);
    e.pass(T0);
    assertThat(e.grant("held")).isPresent();
    assertThat(e.isWaiting("waits")).isTrue();

    assertThatThrownBy(() -> e.removeBlock("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("waiting claim waits");
    e.cancel("waits");
    assertThat(e.removeBlock("b")).isTrue();
    assertThat(e.block("b")).isEmpty();

    assertThatThrownBy(() -> e.removeBlock("a")).hasMessageContaining("grant of held");
    e.release("held");
    assertThat(e.removeBlock("a")).isTrue();
    assertThat(e.removeBlock("a")).isFalse();

    // the same id can come back as a new block
    e.addBlock(basicBlock("a", 2.0, new UnlockRule.AllAtOnce()));
    e.arrive(claim("new", 3, eps(1.5), "a"), T0);
    assertThat(Fixtures.grantedIds(e.pass(T0))).containsExactly("new");
  }
}
