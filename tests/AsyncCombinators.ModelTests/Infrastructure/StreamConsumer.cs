namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// Consumes an async stream of ints: at once, or, with pacing, asking for each next item only when the driver lets it
/// (<see cref="Pull"/>); it leaves the loop after <c>breakAfter</c> items (0: never). Its end is rendered as text:
/// <c>end</c>, <c>break</c>, <c>OCE</c>, or <c>fault:</c> and a name that <see cref="NameOf"/> gives the exception.
/// </summary>
public sealed class StreamConsumer
{
    private readonly List<int> _items = new();
    private readonly System.Threading.Channels.Channel<bool> _pulls = System.Threading.Channels.Channel.CreateUnbounded<bool>();
    private readonly Func<Exception, string> _nameOf;
    private readonly bool _paced;
    private readonly int _breakAfter;
    private volatile bool _ended;
    private volatile bool _inCall;
    private int _callsDue = 1;
    private int _callsReturned;
    private string _end = "pending";

    public StreamConsumer(bool paced, int breakAfter, Func<Exception, string> nameOf)
    {
        _paced = paced;
        _breakAfter = breakAfter;
        _nameOf = nameOf;
    }

    public IAsyncEnumerator<int>? Enumerator { get; private set; }

    public bool Ended => _ended;

    /// <summary>
    /// Gets whether every MoveNextAsync call the consumer owes (one after each item, or after each <see cref="Pull"/> when
    /// paced) has been made and has returned, or the consumer has ended. Until then what the library does inline in that
    /// call (a Merge source asked for its next item, the sources its end lets start, what a failure there stops) may still
    /// change the state at once.
    /// </summary>
    public bool Settled => _ended || (!_inCall && Volatile.Read(ref _callsReturned) == Volatile.Read(ref _callsDue));

    public string EndText => _ended ? _end : "pending";

    /// <summary>Gets or sets a check made as each item is received (the items received before it are passed).</summary>
    public Action<int, int>? OnItem { get; set; }

    public int[] Items
    {
        get
        {
            lock (_items)
            {
                return _items.ToArray();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public static Func<Exception, string> Names(ColdWorld world, Exception? source) => e =>
        e is OperationCanceledException ? "OCE"
        : ReferenceEquals(e, source) ? "fault:source"
        : Array.IndexOf(world.Exceptions, e) is int i and >= 0 ? "fault:" + i
        : "fault:" + e.GetType().Name;

    public void Pull()
    {
        Interlocked.Increment(ref _callsDue);
        _pulls.Writer.TryWrite(true);
    }

    /// <summary>Gets the enumerator and starts consuming; the first MoveNextAsync is called before this returns.</summary>
    public void Start(IAsyncEnumerable<int> sequence, Action? afterGetEnumerator = null)
    {
        Enumerator = sequence.GetAsyncEnumerator();
        afterGetEnumerator?.Invoke();
        _ = Run(Enumerator);
    }

    private async Task Run(IAsyncEnumerator<int> enumerator)
    {
        string end;
        try
        {
            while (true)
            {
                _inCall = true;
                ValueTask<bool> move = enumerator.MoveNextAsync();
                _inCall = false;
                Interlocked.Increment(ref _callsReturned);
                if (!await move)
                {
                    end = "end";
                    break;
                }

                int count;
                lock (_items)
                {
                    if (!_paced && _items.Count + 1 != _breakAfter)
                    {
                        // Owed before the item shows, so that no one sees the item without the call that follows it.
                        Interlocked.Increment(ref _callsDue);
                    }

                    OnItem?.Invoke(enumerator.Current, _items.Count);
                    _items.Add(enumerator.Current);
                    count = _items.Count;
                }

                if (count == _breakAfter)
                {
                    end = "break";
                    break;
                }

                if (_paced)
                {
                    await _pulls.Reader.ReadAsync();
                }
            }
        }
        catch (Exception e)
        {
            end = _nameOf(e);
        }

        await enumerator.DisposeAsync();
        lock (_items)
        {
            _end = end;
            _ended = true;
        }
    }
}
