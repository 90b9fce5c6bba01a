package io.mlp4j.backend;

import io.mlp4j.backend.cpu.CpuProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * Knows every backend and picks one: the configured name, or with {@code auto} the first that works of
 * cuBLAS (a CUDA device answers), Aparapi on an OpenCL GPU, the CPU; {@code auto} does not load a GPU backend's
 * driver where the machine has no GPU device node ({@link BackendProvider#noGpuHere()}). A configured backend that is unknown or
 * unavailable is an error, never a silent fallback.
 */
public final class BackendRegistry {

    /** The library's decisions, at DEBUG: silent unless the application asks for them (the CLI's --verbose). */
    private static final System.Logger LOG = System.getLogger("io.mlp4j");

    /** The result of a selection: the opened backend and why it was chosen. */
    public record Selection(Backend backend, String why) {
    }

    /** One line of a device listing. */
    public record Status(String name, boolean available, String device, String reason) {
    }

    private BackendRegistry() {
    }

    /** In auto order. */
    public static List<BackendProvider> providers() {
        return List.of(new io.mlp4j.backend.cublas.CublasProvider(),
                new io.mlp4j.backend.aparapi.AparapiProvider(),
                new CpuProvider());
    }

    public static List<String> names() {
        List<String> names = new ArrayList<>(List.of("auto"));
        providers().forEach(p -> names.add(p.name()));
        return names;
    }

    public static List<Status> list(Settings settings) {
        List<Status> out = new ArrayList<>();
        for (BackendProvider p : providers()) {
            BackendProvider.Probe probe = safeProbe(p, settings);
            out.add(new Status(p.name(), probe.available(), probe.device(), probe.reason()));
        }
        return out;
    }

    /** One backend's status by name; null for a name no provider has. */
    public static Status status(String name, Settings settings) {
        for (BackendProvider p : providers()) {
            if (p.name().equals(name)) {
                BackendProvider.Probe probe = safeProbe(p, settings);
                return new Status(p.name(), probe.available(), probe.device(), probe.reason());
            }
        }
        return null;
    }

    public static Selection open(Settings settings) {
        Settings.Value choice = settings.get(Settings.BACKEND, "auto");
        String name = choice.value().toLowerCase(java.util.Locale.ROOT);
        if (name.equals("auto")) {
            StringBuilder skipped = new StringBuilder();
            for (BackendProvider p : providers()) {
                String noGpu = p.noGpuHere();
                if (noGpu != null) {
                    skipped.append(skipped.length() > 0 ? "; " : "").append(p.name()).append(": ").append(noGpu);
                    continue;
                }
                BackendProvider.Probe probe = safeProbe(p, settings);
                boolean usable = probe.available() && (probe.isGpu() || p.name().equals("cpu"));
                if (usable) {
                    String why = "auto (" + choice.source() + ")" + (skipped.length() == 0 ? "" : "; skipped " + skipped);
                    LOG.log(System.Logger.Level.DEBUG, "backend {0} on {1}, chosen by {2}", p.name(), probe.device(), why);
                    return new Selection(p.open(settings), why);
                }
                if (skipped.length() > 0) {
                    skipped.append("; ");
                }
                skipped.append(p.name()).append(": ")
                        .append(probe.available() ? "no GPU device (" + probe.device() + ")" : probe.reason());
            }
            throw new IllegalStateException("no backend is available: " + skipped);
        }
        for (BackendProvider p : providers()) {
            if (p.name().equals(name)) {
                BackendProvider.Probe probe = safeProbe(p, settings);
                if (!probe.available()) {
                    LOG.log(System.Logger.Level.DEBUG, "backend {0} refused: {1}", name, probe.reason());
                    throw new IllegalStateException("backend '" + name + "' (from " + choice.source()
                            + ") is not available: " + probe.reason());
                }
                LOG.log(System.Logger.Level.DEBUG, "backend {0} on {1}, chosen by {2}", name, probe.device(),
                        choice.source());
                return new Selection(p.open(settings), name + " (" + choice.source() + ")");
            }
        }
        throw new IllegalArgumentException("unknown backend '" + choice.value() + "' (from " + choice.source()
                + "); choose one of " + String.join(", ", names()));
    }

    private static BackendProvider.Probe safeProbe(BackendProvider p, Settings settings) {
        try {
            return p.probe(settings);
        } catch (IllegalArgumentException e) {
            throw e; // a bad configuration value is the user's to fix, not a missing device
        } catch (LinkageError | RuntimeException e) {
            return BackendProvider.Probe.unavailable(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
