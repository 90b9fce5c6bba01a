package io.mlp4j;

import io.mlp4j.backend.GpuDeviceNodes;
import io.mlp4j.spi.Backend;
import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.BackendProvider.Probe;
import io.mlp4j.spi.Settings;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Turns the configured backend name into an opened backend: {@code mlp4j.backend} is read once, the installed
 * {@link BackendProvider}s are found with {@link ServiceLoader}, the one named (or, with {@code auto}, the first
 * by rank that is available and allowed for auto) is probed once, and its probe opens it. A name that is not
 * installed, or a provider that cannot run, is an error, never a silent fallback.
 */
final class BackendRegistry {

    /** The library's decisions, at DEBUG: silent unless the application asks for them (the CLI's --verbose). */
    private static final System.Logger LOG = System.getLogger("io.mlp4j");

    /** The project's backends that ship in artifacts of their own: what to add when one is asked for. */
    private static final Map<String, String> ARTIFACTS = Map.of(
            "aparapi", "io.mlp4j:mlp4j-aparapi (module io.mlp4j.aparapi)",
            "cublas", "io.mlp4j:mlp4j-cublas (module io.mlp4j.cublas)");

    /** The opened backend and why it was chosen. */
    record Selection(Backend backend, String why) {
    }

    private BackendRegistry() {
    }

    /** Every installed provider, highest rank first; found once per process. */
    private static final class Installed {
        static final List<BackendProvider> PROVIDERS = load();

        private static List<BackendProvider> load() {
            Map<String, BackendProvider> byName = new HashMap<>();
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
                BackendProvider other = byName.putIfAbsent(p.name(), p);
                if (other != null && other.getClass() != p.getClass()) {
                    throw new IllegalStateException("two backend providers are named '" + p.name() + "': "
                            + other.getClass().getName() + " and " + p.getClass().getName() + "; remove one");
                }
            }
            List<BackendProvider> all = new ArrayList<>(byName.values());
            all.sort(Comparator.comparingInt(BackendProvider::rank).reversed().thenComparing(BackendProvider::name));
            return List.copyOf(all);
        }
    }

    static Selection open(Settings settings) {
        Settings.Value choice = settings.get(Settings.BACKEND, "auto");
        String name = choice.value().toLowerCase(Locale.ROOT);
        if (name.equals("auto")) {
            return auto(settings, "auto (" + choice.source() + ")");
        }
        BackendProvider provider = find(name, choice.value(), choice.source());
        Probe probe = probe(provider, settings);
        if (!probe.available()) {
            LOG.log(System.Logger.Level.DEBUG, "backend {0} refused: {1}", name, probe.reason());
            throw new IllegalStateException("backend '" + name + "' (from " + choice.source() + ") is not available: "
                    + probe.reason());
        }
        LOG.log(System.Logger.Level.DEBUG, "backend {0} on {1}, chosen by {2}", name, probe.device(), choice.source());
        return new Selection(probe.opener().get(), name + " (" + choice.source() + ")");
    }

    private static Selection auto(Settings settings, String why) {
        List<String> skipped = new ArrayList<>();
        for (BackendProvider p : Installed.PROVIDERS) {
            String noDevice = p.deviceNodes().isEmpty() ? null : GpuDeviceNodes.noneReason(p.deviceNodes());
            if (noDevice != null) {
                skipped.add(p.name() + ": " + noDevice + ", so its driver was not loaded");
                continue;
            }
            Probe probe = probe(p, settings);
            if (probe.available() && probe.auto()) {
                String full = why + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped));
                LOG.log(System.Logger.Level.DEBUG, "backend {0} on {1}, chosen by {2}", p.name(), probe.device(), full);
                return new Selection(probe.opener().get(), full);
            }
            skipped.add(p.name() + ": " + (probe.available() ? "auto does not choose " + probe.device()
                    : probe.reason()));
        }
        throw new IllegalStateException("no backend is available: " + String.join("; ", skipped));
    }

    /** Every backend, in the order {@code auto} tries them, then the project's backends that are not installed. */
    static List<BackendStatus> list(Settings settings) {
        List<BackendStatus> out = new ArrayList<>();
        for (BackendProvider p : Installed.PROVIDERS) {
            out.add(status(p, settings));
        }
        ARTIFACTS.keySet().stream().sorted().filter(n -> installed(n) == null)
                .forEach(n -> out.add(new BackendStatus(n, false, "", notInstalled(n))));
        return out;
    }

    /** One backend's probe by name (a project backend that is not installed is unavailable, saying why). */
    static Probe probe(String name, Settings settings) {
        String key = name.toLowerCase(Locale.ROOT);
        if (installed(key) == null && ARTIFACTS.containsKey(key)) {
            return Probe.unavailable(notInstalled(key));
        }
        return probe(find(key, name, "the caller"), settings);
    }

    /** {@code auto} and every installed backend's name. */
    static List<String> names() {
        List<String> names = new ArrayList<>(List.of("auto"));
        Installed.PROVIDERS.forEach(p -> names.add(p.name()));
        return names;
    }

    private static BackendStatus status(BackendProvider p, Settings settings) {
        Probe probe = probe(p, settings);
        return new BackendStatus(p.name(), probe.available(), probe.device(), probe.reason());
    }

    private static BackendProvider installed(String name) {
        return Installed.PROVIDERS.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    private static BackendProvider find(String name, String asGiven, String source) {
        BackendProvider p = installed(name);
        if (p != null) {
            return p;
        }
        if (ARTIFACTS.containsKey(name)) {
            throw new IllegalArgumentException("backend '" + name + "' (from " + source + ") is " + notInstalled(name));
        }
        List<String> missing = ARTIFACTS.keySet().stream().sorted().filter(n -> installed(n) == null).toList();
        throw new IllegalArgumentException("unknown backend '" + asGiven + "' (from " + source + "); installed: "
                + String.join(", ", names()) + (missing.isEmpty() ? "" : "; not installed: " + String.join(", ", missing)));
    }

    private static String notInstalled(String name) {
        return "not installed: add " + ARTIFACTS.get(name) + " to the module path";
    }

    /** A probe that throws is an unavailable backend, except for a bad configuration value: that is the user's. */
    private static Probe probe(BackendProvider p, Settings settings) {
        try {
            return p.probe(settings);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (LinkageError | RuntimeException e) {
            return Probe.unavailable(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
