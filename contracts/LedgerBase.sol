// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title LedgerBase: shared storage, roles, parameters, custom errors, events and the pull-payment vault
/// of the attribution ledger. The registry, log, staking and settlement modules all inherit it so one
/// deployment holds one consistent state (cross-contract calls would cost gas on every attribution).
abstract contract LedgerBase {
    // ---------------------------------------------------------------- roles
    bytes32 public constant ATTRIBUTOR = keccak256("ATTRIBUTOR"); // may log attribution events
    bytes32 public constant RESOLVER = keccak256("RESOLVER"); // rules on challenges
    bytes32 public constant SETTLER = keccak256("SETTLER"); // closes epochs and runs settlement pages
    bytes32 public constant CURATOR = keccak256("CURATOR"); // creates Datanets

    uint256 internal constant BPS = 10_000;
    uint32 internal constant REP_START = 10_000;
    uint32 internal constant REP_FLOOR = 1_000;
    /// Upper bound of every time window (challenge, resolution, reveal): ten years. Windows are added to
    /// uint40 timestamps in uint64 arithmetic; with the bound no sum can overflow (and so lock a stake).
    uint64 internal constant MAX_WINDOW = 3650 days;

    struct Params {
        uint32 dailyCap; // registrations per identity per UTC day; 0 = unlimited
        bool allowDuplicates; // undefended design: duplicates register and are marked isDuplicate
        uint128 minStake; // wei required at registration (0 = staking optional)
        uint128 challengeBond; // wei a challenger must bond
        uint64 challengeWindow; // seconds after registration during which an item can be challenged
        uint64 resolveWindow; // seconds a RESOLVER has to rule on a challenge; after that it lapses
        uint64 revealWindow; // seconds between commitRegistration and revealRegistration
        uint32 slashBountyBps; // share of a slashed stake paid to the challenger
        uint32 slashRepBps; // reputation cut on a lost challenge
        uint32 decayBps; // reputation decay per epoch with usage
        uint32 capMultipleBps; // VOLUME_CAP: payout ≤ capMultipleBps · paid volume / 10000
    }

    /// A registration writes ONE storage slot here (slot 0: 160 + 40 + 32 + 3 × 8 = 256 bits); `stake` (slot 1)
    /// is written only when non-zero. The content hash and size are not stored: no contract function reads
    /// them; both are in the ItemRegistered event (the record indexers and lib/ read) and the hash is also the
    /// key of itemByHash (the duplicate guard), so `itemByHash[h] == id` proves the hash of a first registrant.
    struct Item {
        address owner;
        uint40 registeredAt; // block.timestamp; uint40 seconds last until the year 36,812
        uint32 datanetId; // ≤ datanetCount, which createDatanet keeps ≤ type(uint32).max
        bool flagged; // upheld challenge: usage ignored from then on
        bool isDuplicate;
        bool challenged; // a challenge is open
        uint128 stake;
    }

    /// Slot 0 is what register touches; slot 1 is the stake checkpoint, written by the identity's first
    /// stake change in an epoch: `prevStake` is S_a as it was when epoch `stakeEpoch − 1` closed, which is
    /// what settlement of that epoch reads (live stake could be moved between computeScores pages).
    struct Identity {
        uint128 stake; // Σ stake of the identity's items (S_a, live)
        uint32 repBps; // R_a, valid when repSet
        bool repSet;
        uint32 day; // day of the last registration (block.timestamp / 86400)
        uint32 dayCount; // registrations on that day
        uint128 prevStake; // S_a at the close of epoch stakeEpoch − 1
        uint64 stakeEpoch; // epoch of the last stake change
    }

    struct Account {
        uint128 usage; // U_a in the epoch
        uint128 score; // s_a, written by computeScores
        uint128 volume; // V_a in the epoch (wei)
        bool claimed;
    }

    enum Phase { Open, Closed, Scored, Settled }

    struct Epoch {
        uint128 pool;
        uint8 rule;
        Phase phase;
        uint32 capMultipleBps; // snapshot at close
        uint32 cursor; // next payee index of the running pass
        uint256 totalScore;
        uint256 paidTotal;
        address[] payees;
    }

    enum ChallengeStatus { None, Open, Upheld, Rejected, Lapsed }

    struct Challenge {
        uint64 itemId;
        ChallengeStatus status;
        address challenger;
        uint128 bond;
        uint64 deadline; // resolve() must come before; from then on anyone may lapse() it
        bytes32 reason;
    }

    // ---------------------------------------------------------------- state
    address public owner;
    address public treasury;
    Params internal _params;
    mapping(bytes32 => mapping(address => bool)) public hasRole;

    // The four counters share one slot, so register's datanet check and its ++itemCount are one cold access.
    uint64 public datanetCount;
    uint64 public itemCount;
    uint64 public eventCount;
    uint64 public challengeCount;

    mapping(uint64 => address) public datanetCurator;
    mapping(uint64 => Item) internal _items;
    mapping(bytes32 => uint64) public itemByHash; // item holding a content hash (free again once it is flagged)
    /// For a hash held through revealRegistration: the number of its commitment (its priority); 0 for a
    /// plain register, whose priority is its item id.
    mapping(bytes32 => uint64) internal _hashRank;
    /// Registration commitments per sender: itemCount at commit << 128 | commitment number << 64 | time.
    mapping(address => mapping(bytes32 => uint256)) internal _commits;
    uint64 public commitCount; // numbers commitments, so any two are strictly ordered
    mapping(address => Identity) internal _identities;

    uint256 public currentEpoch;
    uint8 public nextRule; // rule given to the epoch opened by closeEpoch
    mapping(uint256 => Epoch) internal _epochs;
    mapping(uint256 => mapping(address => Account)) internal _accounts;

    mapping(uint64 => Challenge) internal _challenges;

    mapping(address => uint256) public credits; // pull balances: bounties, bonds, treasury dust

    bool private transient _entered;

    // ---------------------------------------------------------------- errors
    error Unauthorized(bytes32 role, address account);
    error NotOwner(address account);
    error ZeroAddress();
    error InvalidParam(string name);
    error Reentrancy();
    error TransferFailed(address to, uint256 amount);
    error NothingToWithdraw();
    error ZeroValue();
    error AmountOverflow(uint256 amount);

    // ---------------------------------------------------------------- events
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event RoleGranted(bytes32 indexed role, address indexed account);
    event RoleRevoked(bytes32 indexed role, address indexed account);
    event ParamsUpdated(Params params);
    event TreasuryUpdated(address indexed treasury);
    event Credited(address indexed account, uint256 amount, bytes32 indexed why);
    event Withdrawn(address indexed account, address indexed to, uint256 amount);

    constructor(address treasury_, Params memory params_) {
        if (treasury_ == address(0)) revert ZeroAddress();
        owner = msg.sender;
        treasury = treasury_;
        _setParams(params_);
        emit OwnershipTransferred(address(0), msg.sender);
        emit TreasuryUpdated(treasury_);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier onlyRole(bytes32 role) {
        if (!hasRole[role][msg.sender]) revert Unauthorized(role, msg.sender);
        _;
    }

    modifier nonReentrant() {
        if (_entered) revert Reentrancy();
        _entered = true;
        _;
        _entered = false;
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function grantRole(bytes32 role, address account) external onlyOwner {
        if (account == address(0)) revert ZeroAddress();
        hasRole[role][account] = true;
        emit RoleGranted(role, account);
    }

    function revokeRole(bytes32 role, address account) external onlyOwner {
        hasRole[role][account] = false;
        emit RoleRevoked(role, account);
    }

    function setParams(Params calldata p) external onlyOwner {
        _setParams(p);
    }

    function setTreasury(address treasury_) external onlyOwner {
        if (treasury_ == address(0)) revert ZeroAddress();
        treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    function params() external view returns (Params memory) {
        return _params;
    }

    /// Pull payment of every credit (bounties, bonds, treasury share); state is cleared before the call.
    function withdraw() external nonReentrant {
        _withdraw(msg.sender);
    }

    /// The same, paid to another address: a contract that cannot receive ETH still gets its credits out.
    function withdrawTo(address to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(to);
    }

    function _withdraw(address to) private {
        uint256 amount = credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        credits[msg.sender] = 0;
        emit Withdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    function reputationOf(address a) public view returns (uint32) {
        Identity storage id = _identities[a];
        return id.repSet ? id.repBps : REP_START;
    }

    function identityOf(address a) external view returns (Identity memory) {
        return _identities[a];
    }

    function _setParams(Params memory p) internal {
        if (p.slashBountyBps > BPS) revert InvalidParam("slashBountyBps");
        if (p.slashRepBps > BPS) revert InvalidParam("slashRepBps");
        if (p.decayBps > BPS) revert InvalidParam("decayBps");
        if (p.challengeWindow > MAX_WINDOW) revert InvalidParam("challengeWindow");
        if (p.resolveWindow == 0 || p.resolveWindow > MAX_WINDOW) revert InvalidParam("resolveWindow");
        if (p.revealWindow == 0 || p.revealWindow > MAX_WINDOW) revert InvalidParam("revealWindow");
        _params = p;
        emit ParamsUpdated(p);
    }

    function _credit(address a, uint256 amount, bytes32 why) internal {
        if (amount == 0) return;
        credits[a] += amount;
        emit Credited(a, amount, why);
    }

    /// Pools, stakes and bonds are stored as uint128; a larger msg.value must revert, not truncate.
    function _u128(uint256 amount) internal pure returns (uint128) {
        if (amount > type(uint128).max) revert AmountOverflow(amount);
        return uint128(amount);
    }

    function _send(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
