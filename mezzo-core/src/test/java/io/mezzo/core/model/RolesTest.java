package io.mezzo.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RolesTest {
  @Test
  void validRolesPass() {
    for (String role : new String[] {"*", "eng", "eng/web", "a-b", "a.b", "x/y/z", "..x"}) {
      assertThat(Roles.validate(role)).isEqualTo(role);
    }
  }

  @Test
  void invalidRolesNameTheRoleAndTheRule() {
    assertThatThrownBy(() -> Roles.validate("")).hasMessage("role: '' (expected: a role name such as 'eng' or 'eng/web')");
    assertThatThrownBy(() -> Roles.validate("eng//web")).hasMessageContaining("'eng//web'").hasMessageContaining("non-empty");
    assertThatThrownBy(() -> Roles.validate("/eng")).hasMessageContaining("non-empty");
    assertThatThrownBy(() -> Roles.validate("eng/")).hasMessageContaining("non-empty");
    assertThatThrownBy(() -> Roles.validate("eng/..")).hasMessageContaining("'..'");
    assertThatThrownBy(() -> Roles.validate(".")).hasMessageContaining("'.'");
    assertThatThrownBy(() -> Roles.validate("eng/*")).hasMessageContaining("'*'");
    assertThatThrownBy(() -> Roles.validate("-eng")).hasMessageContaining("'-'");
    assertThatThrownBy(() -> Roles.validate("en g")).hasMessageContaining("whitespace");
    assertThatThrownBy(() -> Roles.validate("eng\u0007")).hasMessageContaining("control");
    assertThatThrownBy(() -> Roles.validate(null)).hasMessageContaining("missing");
  }

  @Test
  void hierarchyFollowsSlashes() {
    assertThat(Roles.isAncestor("eng", "eng/web")).isTrue();
    assertThat(Roles.isAncestor("eng", "eng/web/api")).isTrue();
    assertThat(Roles.isAncestor("eng", "eng")).isFalse();
    assertThat(Roles.isAncestor("eng", "engineering")).isFalse();
    assertThat(Roles.isAncestor("*", "eng")).isFalse();
    assertThat(Roles.isSelfOrAncestor("eng", "eng")).isTrue();
    assertThat(Roles.parent("eng/web/api")).isEqualTo("eng/web");
    assertThat(Roles.parent("eng")).isNull();
  }
}
