using System;
using System.Threading;

namespace AsyncCombinators.Internal;

internal static class Cancellation
{
    /// <summary>
    /// Cancels <paramref name="source"/>. A callback that an operation registered on the token and that throws is the
    /// operation's own problem (reported through its task, if at all), so it must not fail the combinator.
    /// </summary>
    public static void CancelIgnoringCallbackErrors(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException)
        {
        }
    }
}
