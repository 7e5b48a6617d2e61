package org.aldi.config;

/** A bad configuration: an unknown key, a value of the wrong type or outside its range, a missing input. */
public final class ConfigError extends RuntimeException {
  public ConfigError(String message) {
    super(message);
  }
}
