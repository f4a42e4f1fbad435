package io.mezzo.services.app;

/** The constraint operators Mezzo supports, with Marathon's names and meanings (see {@code placement.Constraints}). */
public enum Operator {
  UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS
}
