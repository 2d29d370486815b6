using System;
using System.Threading;

namespace AsyncCombinators.Internal;

/// <summary>Cancelling a token source that the library owns and hands to user code.</summary>
internal static class Cancellation
{
    /// <summary>The callback of timers and registrations that cancel the <see cref="CancellationTokenSource"/> they carry.</summary>
    public static readonly Action<object?> CancelSource = static state => CancelQuietly((CancellationTokenSource)state!);

    /// <summary><see cref="CancelSource"/> as a timer callback.</summary>
    public static readonly TimerCallback CancelSourceOnTimer = static state => CancelQuietly((CancellationTokenSource)state!);

    /// <summary>
    /// Cancels <paramref name="source"/>. What that cannot help is swallowed: a callback that user code registered on the
    /// token and that threw (the operation reports its own problems through its task, if at all), and a source already
    /// released because everything it served has finished meanwhile.
    /// </summary>
    public static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException)
        {
            // A callback registered on the token threw.
        }
        catch (ObjectDisposedException)
        {
            // Released meanwhile: nothing left to cancel.
        }
    }

    /// <summary>
    /// The one token of an enumeration that takes a token at the call and another at GetAsyncEnumerator
    /// (<c>WithCancellation</c>): a linked source, to dispose when the enumeration ends, only when both can cancel and differ.
    /// </summary>
    public static CancellationTokenSource? Combine(out CancellationToken token, CancellationToken callToken, CancellationToken enumeratorToken)
    {
        CancellationTokenSource? linked = callToken.CanBeCanceled && enumeratorToken.CanBeCanceled && callToken != enumeratorToken
            ? CancellationTokenSource.CreateLinkedTokenSource(callToken, enumeratorToken)
            : null;
        token = linked?.Token ?? (callToken.CanBeCanceled ? callToken : enumeratorToken);
        return linked;
    }
}
