"""The bad clients wrk cannot play, for bench/serve-soak.sh: every INTERVAL seconds for DURATION seconds, one
client that sends half its body and stops (the server must drop it after its read timeout), and one that announces
100 MB and sends 10 bytes (the server must answer 413 at once). Prints a summary; exits 1 if any went wrong."""
import socket, sys, threading, time

port, duration, interval, timeout = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
results = {"slow_dropped": 0, "slow_wrong": 0, "big_413": 0, "big_wrong": 0}
lock = threading.Lock()

def count(k):
    with lock:
        results[k] += 1

def head(length):
    return (f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: {length}\r\n"
            "Connection: close\r\n\r\n").encode()

def slow():
    t0 = time.time()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout + 10)
        s.sendall(head(1000) + b"\x89PNG" + b"\0" * 100)
        data = s.recv(65536)  # blocks until the server closes the connection
        ok = data == b"" and time.time() - t0 <= timeout + 3
    except (ConnectionResetError, BrokenPipeError):
        ok = time.time() - t0 <= timeout + 3
    except OSError:
        ok = False
    count("slow_dropped" if ok else "slow_wrong")

def big():
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(head(100_000_000) + b"\0" * 10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        count("big_413" if data.startswith(b"HTTP/1.1 413 ") else "big_wrong")
        s.close()
    except OSError:
        count("big_wrong")

threads = []
end = time.time() + duration
while time.time() < end:
    for f in (slow, big):
        t = threading.Thread(target=f)
        t.start()
        threads.append(t)
    time.sleep(interval)
for t in threads:
    t.join()
print(" ".join(f"{k}={v}" for k, v in results.items()))
sys.exit(0 if results["slow_wrong"] == 0 and results["big_wrong"] == 0 else 1)
