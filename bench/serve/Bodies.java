import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Request bodies for bench/serve-load.sh and serve-soak.sh from MNIST's first test images: digit.png (a 7, 28x28
 * grey PNG), pixels.json ({"pixels":[784 numbers]}), batch.json (the first 3 as {"images":[...]}), blank.png
 * (white paper) and bomb.png (a 20000x20000 grey PNG of ~400 KB). Usage: java Bodies.java MNIST_DIR OUT_DIR
 */
public final class Bodies {
    public static void main(String[] args) throws Exception {
        byte[] all = new byte[3 * 784];
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(
                new FileInputStream(Path.of(args[0], "t10k-images-idx3-ubyte.gz").toFile())))) {
            in.readFully(new byte[16]); // magic, count, rows, cols
            in.readFully(all);
        }
        byte[] px = java.util.Arrays.copyOf(all, 784);
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        StringBuilder json = new StringBuilder("{\"pixels\":[");
        for (int i = 0; i < 784; i++) {
            img.getRaster().setSample(i % 28, i / 28, 0, px[i] & 0xFF);
            json.append(i == 0 ? "" : ",").append(px[i] & 0xFF);
        }
        Path out = Path.of(args[1]);
        ImageIO.write(img, "png", out.resolve("digit.png").toFile());
        Files.writeString(out.resolve("pixels.json"), json.append("]}"));
        StringBuilder batch = new StringBuilder("{\"images\":[");
        for (int k = 0; k < 3; k++) {
            batch.append(k == 0 ? "[" : ",[");
            for (int i = 0; i < 784; i++) {
                batch.append(i == 0 ? "" : ",").append(all[k * 784 + i] & 0xFF);
            }
            batch.append(']');
        }
        Files.writeString(out.resolve("batch.json"), batch.append("]}"));
        BufferedImage blank = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                blank.getRaster().setSample(x, y, 0, 245);
            }
        }
        ImageIO.write(blank, "png", out.resolve("blank.png").toFile());
        Files.write(out.resolve("bomb.png"), bomb(20_000, 20_000));
    }

    /** A grey PNG that claims w x h pixels, all zero: a few hundred KB. */
    static byte[] bomb(int w, int h) throws Exception {
        java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(idat,
                new java.util.zip.Deflater(9))) {
            byte[] row = new byte[w + 1];
            for (int y = 0; y < h; y++) {
                z.write(row);
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put(new byte[4]).array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        d.writeInt((int) crc.getValue());
    }
}
