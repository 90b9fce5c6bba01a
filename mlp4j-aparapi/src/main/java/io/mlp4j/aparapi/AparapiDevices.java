package io.mlp4j.aparapi;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLPlatform;
import io.mlp4j.spi.BackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The part of the provider that lists OpenCL devices and picks one. */
final class AparapiDevices {

    /** The device to use, or why there is none. */
    record Choice(OpenCLDevice device, String reason) {
    }

    private AparapiDevices() {
    }

    /** The provider's probe: the chosen device (auto takes only a GPU) and its opener, or why there is none. */
    static BackendProvider.Probe probe(String kind) {
        Choice c = choose(kind);
        if (c.device() == null) {
            return BackendProvider.Probe.unavailable(c.reason());
        }
        OpenCLDevice device = c.device();
        return BackendProvider.Probe.available(describe(device), device.getType() == Device.TYPE.GPU,
                () -> new AparapiBackend(device));
    }

    /** Every OpenCL device Aparapi sees (empty when there is no OpenCL platform or no ICD loader). */
    static List<OpenCLDevice> all() {
        List<OpenCLDevice> devices = OpenCLDevice.listDevices(null);
        return devices == null ? List.of() : devices;
    }

    /**
     * Picks a device by kind: {@code gpu} (only GPUs), {@code cpu} (only CPU devices, e.g. PoCL), {@code any}
     * (a GPU if there is one, else anything). Among several of a kind, the one with the most compute units.
     */
    static Choice choose(String kind) {
        List<OpenCLDevice> devices = all();
        if (devices.isEmpty()) {
            return new Choice(null, "no OpenCL device found (no OpenCL platform, ICD loader or driver)");
        }
        List<OpenCLDevice> candidates = new ArrayList<>();
        for (OpenCLDevice d : devices) {
            Device.TYPE type = d.getType();
            boolean fits = switch (kind) {
                case "gpu" -> type == Device.TYPE.GPU;
                case "cpu" -> type == Device.TYPE.CPU;
                default -> true;
            };
            if (fits) {
                candidates.add(d);
            }
        }
        if (candidates.isEmpty()) {
            StringBuilder seen = new StringBuilder();
            for (OpenCLDevice d : devices) {
                seen.append(seen.length() == 0 ? "" : "; ").append(describe(d));
            }
            return new Choice(null, "no OpenCL " + kind.toUpperCase(Locale.ROOT) + " device (found: " + seen + ")");
        }
        candidates.sort(Comparator.comparing((OpenCLDevice d) -> d.getType() == Device.TYPE.GPU ? 0 : 1)
                .thenComparing(Comparator.comparingInt(OpenCLDevice::getMaxComputeUnits).reversed()));
        return new Choice(candidates.get(0), "");
    }

    /** E.g. {@code "pthread-skylake-avx512 (OpenCL CPU, Portable Computing Language)"}. */
    static String describe(OpenCLDevice d) {
        OpenCLPlatform p = d.getOpenCLPlatform();
        String platform = p == null ? "unknown platform" : p.getName();
        return d.getName().trim() + " (OpenCL " + d.getType() + ", " + (platform == null ? "" : platform.trim())
                + ")";
    }
}
