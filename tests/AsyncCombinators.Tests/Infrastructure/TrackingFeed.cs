namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>
/// An asynchronous source of 0 .. items - 1 that then waits for its token forever; records how often it was enumerated
/// and moved, the token it was given, and whether its enumerator was disposed.
/// </summary>
public sealed class TrackingFeed : IAsyncEnumerable<int>
{
    private readonly int _items;
    private int _enumerations;
    private int _moves;
    private int _disposed;

    public TrackingFeed(int items)
    {
        _items = items;
    }

    public int Enumerations => Volatile.Read(ref _enumerations);

    public int Moves => Volatile.Read(ref _moves);

    public bool Disposed => Volatile.Read(ref _disposed) == 1;

    public CancellationToken Token { get; private set; }

    public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _enumerations);
        Token = cancellationToken;
        return new Enumerator(this, cancellationToken);
    }

    private sealed class Enumerator : IAsyncEnumerator<int>
    {
        private readonly TrackingFeed _owner;
        private readonly CancellationToken _token;
        private int _index = -1;

        public Enumerator(TrackingFeed owner, CancellationToken token)
        {
            _owner = owner;
            _token = token;
        }

        public int Current => _index;

        public async ValueTask<bool> MoveNextAsync()
        {
            Interlocked.Increment(ref _owner._moves);
            await Task.Yield();
            if (++_index < _owner._items)
            {
                return true;
            }

            await Task.Delay(Timeout.Infinite, _token);
            return false;
        }

        public ValueTask DisposeAsync()
        {
            Volatile.Write(ref _owner._disposed, 1);
            return default;
        }
    }
}
