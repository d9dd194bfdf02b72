//! Misbehaving SMTP servers, to check that `Mailer::send` fails instead of
//! hanging.

use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy)]
pub enum Misbehaviour {
    /// Accepts the connection and drops it at once.
    DropOnAccept,
    /// Sends the greeting, then drops the connection.
    DropAfterGreeting,
    /// Answers EHLO, then drops the connection on the next command.
    DropAfterEhlo,
    /// Accepts the whole message data, then drops without the final reply.
    DropAfterData,
    /// Accepts the connection and never says a word.
    Silent,
    /// Refuses every recipient with 550.
    RejectRecipient,
    /// Answers RCPT with 451 (try again later).
    DeferRecipient,
}

/// Starts a fake server on 127.0.0.1; returns its plain `smtp://…?tls=none` URL. It serves
/// connections until the test's runtime stops.
pub async fn start(misbehaviour: Misbehaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let _ = serve(stream, misbehaviour).await;
            });
        }
    });
    format!("smtp://{addr}?tls=none")
}

async fn serve(stream: tokio::net::TcpStream, misbehaviour: Misbehaviour) -> std::io::Result<()> {
    use Misbehaviour::*;
    match misbehaviour {
        DropOnAccept => return Ok(()),
        Silent => {
            tokio::time::sleep(std::time::Duration::from_secs(120)).await;
            drop(stream);
            return Ok(());
        }
        _ => {}
    }
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    writer.write_all(b"220 fake ESMTP\r\n").await?;
    if matches!(misbehaviour, DropAfterGreeting) {
        return Ok(());
    }
    while let Some(line) = lines.next_line().await? {
        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 fake\r\n",
            _ if matches!(misbehaviour, DropAfterEhlo) => return Ok(()),
            "RCPT" if matches!(misbehaviour, RejectRecipient) => b"550 5.1.1 No such user here\r\n",
            "RCPT" if matches!(misbehaviour, DeferRecipient) => b"451 4.3.0 Try again later\r\n",
            "DATA" => {
                writer.write_all(b"354 go ahead\r\n").await?;
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                }
                if matches!(misbehaviour, DropAfterData) {
                    return Ok(());
                }
                b"250 OK\r\n"
            }
            "QUIT" => {
                writer.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 OK\r\n",
        };
        writer.write_all(reply).await?;
    }
    Ok(())
}
