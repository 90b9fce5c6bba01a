package io.mlp4j.data;

import io.mlp4j.io.AtomicFile;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Fetches files from a list of mirrors into a directory: each checked against its SHA-256, written atomically
 * (a temporary file beside the target, then a rename), skipped when already present with the right checksum.
 * Uses only {@code java.net.URLConnection} (module java.base); proxies come from the usual system properties.
 */
final class Downloader {

    static final int CONNECT_TIMEOUT_MS = 20_000;
    static final int READ_TIMEOUT_MS = 60_000;
    /** Refuse anything bigger: no IDX data set of this kind comes near (Fashion-MNIST's largest file is 26 MB). */
    static final long MAX_BYTES = 512L << 20;

    private Downloader() {
    }

    /** Downloads every file of {@code sha256} (name to lower-case hex) that is missing or wrong in {@code dir}. */
    static void fetchAll(Path dir, List<String> files, List<URI> mirrors, Map<String, String> sha256,
                         DownloadProgress progress) throws IOException {
        Objects.requireNonNull(progress, "progress");
        if (mirrors.isEmpty()) {
            throw new IllegalArgumentException("no mirrors to download from");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the download directory " + dir + " (" + e + ")", e);
        }
        // The mirror that served the last file is tried first for the next ones, so that a dead mirror costs
        // its time-out once, not once per file.
        List<URI> order = new ArrayList<>(mirrors);
        for (String file : files) {
            String hash = sha256.get(file);
            if (hash == null) {
                throw new IllegalArgumentException("no SHA-256 known for " + file);
            }
            URI served = fetch(dir, file, order, hash.toLowerCase(Locale.ROOT), progress);
            if (served != null) {
                order.remove(served);
                order.add(0, served);
            }
        }
    }

    /** Fetches one file unless present; returns the mirror that served it, null if it was already there. */
    private static URI fetch(Path dir, String file, List<URI> mirrors, String expected, DownloadProgress progress)
            throws IOException {
        Path target = dir.resolve(file);
        String present = null;
        if (Files.isRegularFile(target)) {
            present = sha256(target);
            if (present.equals(expected)) {
                long size = Files.size(target);
                progress.update(file, size, size);
                return null;
            }
        }
        List<String> failures = new ArrayList<>();
        for (URI base : mirrors) {
            URI url = resolve(base, file);
            String reason;
            try (AtomicFile out = AtomicFile.create(target)) {
                String got = transfer(url, file, out, progress);
                if (got.equals(expected)) {
                    out.commit();
                    return base;
                }
                reason = "wrong SHA-256 " + got + " (the download is corrupt or not this file)";
                // closing out deletes the bad temporary file
            } catch (IOException e) {
                reason = describe(e);
            }
            failures.add(url + ": " + reason);
            progress.mirrorFailed(file, url, reason);
        }
        StringBuilder msg = new StringBuilder("could not download " + file + " into " + dir + "; tried "
                + mirrors.size() + (mirrors.size() == 1 ? " mirror:" : " mirrors:"));
        for (String f : failures) {
            msg.append("\n  ").append(f);
        }
        if (present != null) {
            msg.append("\nThe file already there has SHA-256 ").append(present).append(", not the expected one.");
        }
        msg.append("\nCheck the network connection (behind a proxy, set -Dhttps.proxyHost and -Dhttps.proxyPort), "
                + "or fetch ").append(file).append(" by hand, check that its SHA-256 is ").append(expected)
                .append(", and put it in ").append(dir).append('.');
        throw new IOException(msg.toString());
    }

    /** {@code base} with a trailing slash, then the file name. */
    static URI resolve(URI base, String file) {
        String s = base.toString();
        return URI.create(s.endsWith("/") ? s : s + "/").resolve(file);
    }

    /** Streams {@code url} into {@code out}, returning the SHA-256 of what arrived. */
    private static String transfer(URI url, String file, AtomicFile out, DownloadProgress progress) throws IOException {
        URLConnection c = url.toURL().openConnection();
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(READ_TIMEOUT_MS);
        c.setRequestProperty("User-Agent", "mlp4j");
        c.setRequestProperty("Accept-Encoding", "identity");
        HttpURLConnection http = c instanceof HttpURLConnection ? (HttpURLConnection) c : null;
        try {
            if (http != null) {
                http.setInstanceFollowRedirects(true);
                int code = http.getResponseCode();
                if (code != HttpURLConnection.HTTP_OK) {
                    String message = http.getResponseMessage();
                    throw new IOException("HTTP " + code + (message == null ? "" : " " + message));
                }
            }
            long total = c.getContentLengthLong();
            if (total > MAX_BYTES) {
                throw new IOException("the server announces " + total + " bytes, more than the " + MAX_BYTES
                        + " accepted");
            }
            MessageDigest sha = newSha256();
            byte[] buf = new byte[1 << 16];
            long received = 0;
            progress.update(file, 0, total);
            try (InputStream in = c.getInputStream()) {
                int r;
                while ((r = in.read(buf)) != -1) {
                    received += r;
                    if (received > MAX_BYTES) {
                        throw new IOException("more than " + MAX_BYTES + " bytes arrived; refusing the rest");
                    }
                    sha.update(buf, 0, r);
                    out.write(ByteBuffer.wrap(buf, 0, r));
                    progress.update(file, received, total);
                }
            }
            if (total >= 0 && received != total) {
                throw new IOException("the connection ended after " + received + " of " + total + " bytes");
            }
            return HexFormat.of().formatHex(sha.digest());
        } finally {
            if (http != null) {
                http.disconnect();
            }
        }
    }

    private static String describe(IOException e) {
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage() + " (no network, or DNS fails?)";
        }
        if (e instanceof ConnectException) {
            return "cannot connect (" + e.getMessage() + ")";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out (" + e.getMessage() + ")";
        }
        if (e instanceof FileNotFoundException) {
            return "not found (" + e.getMessage() + ")";
        }
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        return e.getClass() == IOException.class ? m : e.getClass().getSimpleName() + ": " + m;
    }

    /** The SHA-256 of a file, in lower-case hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest sha = newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buf)) != -1) {
                sha.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
