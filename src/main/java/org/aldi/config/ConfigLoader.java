package org.aldi.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Builds the effective configuration: reference.conf, then the --conf files in order, then -Daldi.* system
 * properties, then --set overrides. Rejects keys that reference.conf does not define.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * @param confFiles HOCON files, later ones win
   * @param overrides "key=value" pairs; a key may be given with or without the "aldi." prefix
   */
  public static Settings load(List<String> confFiles, List<String> overrides) {
    Config reference = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf",
        ConfigParseOptions.defaults().setAllowMissing(false));
    Config merged = reference;
    for (String path : confFiles) {
      File file = new File(path);
      if (!file.isFile()) {
        throw new ConfigError("configuration file not found: " + path);
      }
      try {
        merged = ConfigFactory.parseFile(file).withFallback(merged);
      } catch (ConfigException e) {
        throw new ConfigError("cannot parse configuration file " + path + ": " + e.getMessage());
      }
    }
    merged = systemPropertyOverrides().withFallback(merged);
    merged = commandLineOverrides(overrides).withFallback(merged);
    try {
      merged = merged.resolve();
    } catch (ConfigException e) {
      throw new ConfigError("cannot resolve configuration: " + e.getMessage());
    }
    rejectUnknownKeys(merged, reference);
    return new Settings(merged);
  }

  private static Config systemPropertyOverrides() {
    Properties aldiOnly = new Properties();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("aldi.")) {
        aldiOnly.setProperty(name, System.getProperty(name));
      }
    }
    return ConfigFactory.parseProperties(aldiOnly);
  }

  private static Config commandLineOverrides(List<String> overrides) {
    StringBuilder hocon = new StringBuilder();
    for (String override : overrides) {
      int eq = override.indexOf('=');
      if (eq <= 0) {
        throw new ConfigError("--set expects key=value, got: " + override);
      }
      String key = override.substring(0, eq).trim();
      if (!key.startsWith("aldi.")) {
        key = "aldi." + key;
      }
      hocon.append(key).append(" = ").append(override.substring(eq + 1).trim()).append('\n');
    }
    try {
      return ConfigFactory.parseString(hocon.toString());
    } catch (ConfigException e) {
      throw new ConfigError("cannot parse --set overrides: " + e.getMessage());
    }
  }

  private static void rejectUnknownKeys(Config merged, Config reference) {
    TreeSet<String> unknown = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> entry : merged.getConfig("aldi").entrySet()) {
      String key = "aldi." + entry.getKey();
      if (!reference.hasPath(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      List<String> lines = new ArrayList<>();
      for (String key : unknown) {
        lines.add(key);
      }
      throw new ConfigError("unknown configuration key(s), not defined in reference.conf: " + String.join(", ", lines));
    }
    for (Map.Entry<String, ConfigValue> entry : merged.entrySet()) {
      if (entry.getKey().startsWith("aldi") && !entry.getKey().startsWith("aldi.")) {
        throw new ConfigError("unknown top-level configuration key: " + entry.getKey());
      }
    }
  }
}
