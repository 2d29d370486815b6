using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>The enumerable of Merge: each enumeration is an independent run, with the caller's context captured at GetAsyncEnumerator.</summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class MergeEnumerable<T> : IAsyncEnumerable<T>
{
    private readonly IAsyncEnumerable<T>[] _sources;
    private readonly int _maxConcurrency;
    private readonly ConcurrencyOptions? _options;
    private readonly CancellationToken _cancellationToken;

    public MergeEnumerable(IAsyncEnumerable<T>[] sources, int maxConcurrency, ConcurrencyOptions? options, CancellationToken cancellationToken)
    {
        _sources = sources;
        _maxConcurrency = maxConcurrency;
        _options = options;
        _cancellationToken = cancellationToken;
    }

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        EnumerateAsync(CallerContext.Capture(), default).GetAsyncEnumerator(cancellationToken);

    private async IAsyncEnumerable<T> EnumerateAsync(CallerContext callerContext, [EnumeratorCancellation] CancellationToken enumeratorToken)
    {
        using CancellationTokenSource? linked = Cancellation.Combine(out CancellationToken token, _cancellationToken, enumeratorToken);

        MergeRunner<T> runner = MergeRunner<T>.Start(_sources, _maxConcurrency, _options, callerContext, token);
        try
        {
            while (true)
            {
                // A cancelled token ends the enumeration even when more items are ready.
                token.ThrowIfCancellationRequested();
                switch (runner.Channel.TryTake(out T item, out ValueTask wait))
                {
                    case Take.Item:
                        yield return item;
                        break;
                    case Take.Wait:
                        await wait.ConfigureAwait(false);
                        break;
                    default:
                        runner.Channel.ThrowIfFailed();
                        yield break;
                }
            }
        }
        finally
        {
            runner.Abandon();
            await runner.Channel.Ended.ConfigureAwait(false);
        }
    }
}
