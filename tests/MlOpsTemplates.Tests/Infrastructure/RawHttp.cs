using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>HTTP/1.1 written byte by byte on a socket: framing no HTTP client would send, from a chosen loopback address.</summary>
public static class RawHttp
{
    /// <summary>A TCP connection to <paramref name="server"/> from <paramref name="local"/> (any 127.x address is this machine).</summary>
    public static async Task<Socket> ConnectAsync(Uri server, IPAddress local, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="request"/> as it is and returns the whole answer as text (until the server closes or 10 s pass).</summary>
    public static async Task<string> ExchangeAsync(Uri server, string request)
    {
        using var socket = await ConnectAsync(server, IPAddress.Loopback);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answer = new StringBuilder();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // The answer so far is what counts.
        }

        return answer.ToString();
    }

    /// <summary>The status code of an answer's status line; 0 when there is none.</summary>
    public static int StatusOf(string answer) =>
        answer.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(answer.AsSpan(9, 3), out var status) ? status : 0;
}
