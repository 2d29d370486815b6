using System;
using System.Collections.Generic;
using System.Threading;

namespace AsyncCombinators.Internal;

/// <summary>The enumerable of Merge: each enumeration is an independent run over the sources.</summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class MergeEnumerable<T> : StreamEnumerableBase<T>
{
    private readonly IAsyncEnumerable<T>[] _sources;
    private readonly int _maxConcurrency;
    private readonly ConcurrencyOptions? _options;

    public MergeEnumerable(IAsyncEnumerable<T>[] sources, int maxConcurrency, ConcurrencyOptions? options, CancellationToken cancellationToken)
        : base(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken)
    {
        _sources = sources;
        _maxConcurrency = maxConcurrency;
        _options = options;
    }

    protected override StreamRunner<T> CreateRunner(CallerContext callerContext, CancellationToken token) =>
        MergeRunner<T>.Create(_sources, _maxConcurrency, _options, callerContext, token);
}
