using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

public static partial class Async
{
    /// <summary>
    /// Interleaves async streams: yields the items of every source as they arrive, each source's items in their order
    /// (Kotlin's <c>flatMapMerge</c>, aiostream's <c>merge</c>, Rx's <c>Merge</c>).
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="sources">The streams. Enumerated once and validated at the call; each is enumerated when its turn comes.</param>
    /// <param name="maxConcurrency">How many sources are enumerated at once; omitted: all. When one ends, the next in input order starts.</param>
    /// <param name="cancellationToken">
    /// Cancels every source being enumerated (through the token passed to its GetAsyncEnumerator) and disposes it; then
    /// MoveNextAsync throws <see cref="OperationCanceledException"/> (as does the token given to GetAsyncEnumerator,
    /// <c>WithCancellation</c>).
    /// </param>
    /// <returns>
    /// The items. Back-pressure: a source is not asked for its next item until its previous item has been handed to the
    /// consumer, so at most one item per source is held. Calls into the sources run on the caller's context, as an
    /// <c>await foreach</c> there would make them. A source failing (its GetAsyncEnumerator, MoveNextAsync or DisposeAsync
    /// throws): the others are cancelled and disposed, then MoveNextAsync throws that exception. Leaving the loop early
    /// cancels and disposes every source being enumerated before DisposeAsync completes, which then throws what a source's
    /// DisposeAsync threw (other than the cancellation), as an <c>await foreach</c> over it would. An empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sources"/> contains a <see langword="null"/> element.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    /// <example>
    /// <code>
    /// await foreach (Event e in Async.Merge(new[] { feedA, feedB, feedC }))
    /// {
    ///     Console.WriteLine(e);
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<T> Merge<T>(IEnumerable<IAsyncEnumerable<T>> sources, int maxConcurrency = Validate.Unbounded, CancellationToken cancellationToken = default)
    {
        IAsyncEnumerable<T>[] items = TaskCollection.ToArray(sources, nameof(sources), copy: true);
        Validate.MaxConcurrency(maxConcurrency, nameof(maxConcurrency));
        return new MergeEnumerable<T>(items, maxConcurrency, null, cancellationToken);
    }

    /// <summary>
    /// Interleaves async streams: yields the items of every source as they arrive, each source's items in their order
    /// (Kotlin's <c>flatMapMerge</c>, aiostream's <c>merge</c>, Rx's <c>Merge</c>).
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="sources">The streams. Enumerated once and validated at the call; each is enumerated when its turn comes.</param>
    /// <param name="options">How many sources are enumerated at once and how fast they may start (see <see cref="ConcurrencyOptions"/>).</param>
    /// <param name="cancellationToken">Cancels and disposes every source being enumerated; then MoveNextAsync throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// The items. Back-pressure: a source is not asked for its next item until its previous item has been handed to the
    /// consumer, so at most one item per source is held. Calls into the sources run on the caller's context, as an
    /// <c>await foreach</c> there would make them. A source failing (its GetAsyncEnumerator, MoveNextAsync or DisposeAsync
    /// throws): the others are cancelled and disposed, then MoveNextAsync throws that exception. Leaving the loop early
    /// cancels and disposes every source being enumerated before DisposeAsync completes, which then throws what a source's
    /// DisposeAsync threw (other than the cancellation), as an <c>await foreach</c> over it would. An empty input yields nothing.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sources"/> contains a <see langword="null"/> element.</exception>
    /// <example>
    /// <code>
    /// await foreach (Event e in Async.Merge(new[] { feedA, feedB, feedC }))
    /// {
    ///     Console.WriteLine(e);
    /// }
    /// </code>
    /// </example>
    public static IAsyncEnumerable<T> Merge<T>(IEnumerable<IAsyncEnumerable<T>> sources, ConcurrencyOptions options, CancellationToken cancellationToken = default)
    {
        IAsyncEnumerable<T>[] items = TaskCollection.ToArray(sources, nameof(sources), copy: true);
        Validate.Options(options, nameof(options));
        return new MergeEnumerable<T>(items, Validate.Unbounded, options, cancellationToken);
    }
}
