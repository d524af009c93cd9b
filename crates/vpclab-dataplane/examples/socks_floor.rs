//! The floor the proxy benchmark compares against: the least a SOCKS5 proxy can do on
//! this machine with the same runtime (tokio, two workers) — greeting, username/password,
//! CONNECT to the requested address, reply, relay — with no decision, no token, no flow
//! log. `bench/proxy_bench.py` runs it beside `vpclab serve` and prints both, so the
//! figure the lab itself adds is the difference, and the rest is the machine.
//!
//! Usage: `socks_floor` prints the port it listens on (127.0.0.1) on its first line.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let _ = session(stream).await;
        });
    }
}

/// One SOCKS5 session (RFC 1928, RFC 1929), IPv4 CONNECT only: what the benchmark sends.
async fn session(mut client: TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; 255];
    let mut two = [0u8; 2];
    client.read_exact(&mut two).await?;
    client.read_exact(&mut buf[..usize::from(two[1])]).await?;
    client.write_all(&[5, 2]).await?;
    client.read_exact(&mut two).await?;
    client.read_exact(&mut buf[..usize::from(two[1])]).await?;
    let mut one = [0u8; 1];
    client.read_exact(&mut one).await?;
    client.read_exact(&mut buf[..usize::from(one[0])]).await?;
    client.write_all(&[1, 0]).await?;
    let mut request = [0u8; 10];
    client.read_exact(&mut request).await?;
    let ip = std::net::Ipv4Addr::new(request[4], request[5], request[6], request[7]);
    let port = u16::from_be_bytes([request[8], request[9]]);
    let mut upstream = TcpStream::connect((ip, port)).await?;
    upstream.set_nodelay(true)?;
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
