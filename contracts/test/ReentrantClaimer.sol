// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface ILedger {
    function register(bytes32 contentHash, uint64 size, uint64 datanetId) external payable returns (uint64);
    function claim(uint256 e) external returns (uint256);
    function withdraw() external;
    function challenge(uint64 itemId, bytes32 reason) external payable returns (uint64);
}

/// Test double: a contributor contract that re-enters claim/withdraw from its receive hook, to prove the
/// ledger's guard turns the nested call into a revert (and so the whole payout reverts).
contract ReentrantClaimer {
    ILedger public immutable ledger;
    uint8 public mode; // 0 none, 1 re-enter claim, 2 re-enter withdraw
    uint256 public epoch;

    constructor(ILedger ledger_) {
        ledger = ledger_;
    }

    function setMode(uint8 mode_, uint256 epoch_) external {
        mode = mode_;
        epoch = epoch_;
    }

    function register(bytes32 h, uint64 size, uint64 datanetId) external payable returns (uint64) {
        return ledger.register{value: msg.value}(h, size, datanetId);
    }

    function challenge(uint64 itemId) external payable returns (uint64) {
        return ledger.challenge{value: msg.value}(itemId, "test");
    }

    function claim(uint256 e) external returns (uint256) {
        return ledger.claim(e);
    }

    function withdraw() external {
        ledger.withdraw();
    }

    receive() external payable {
        if (mode == 1) ledger.claim(epoch);
        else if (mode == 2) ledger.withdraw();
    }
}
