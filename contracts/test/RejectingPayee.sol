// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface ILedgerPayee {
    function register(bytes32 contentHash, uint64 size, uint64 datanetId) external payable returns (uint64);
    function challenge(uint64 itemId, bytes32 reason) external payable returns (uint64);
    function claim(uint256 e) external returns (uint256);
    function claimTo(uint256 e, address to) external returns (uint256);
    function withdraw() external;
    function withdrawTo(address to) external;
}

/// Test double: a contributor contract with no way to receive ETH (its receive() reverts), as a multisig
/// or a contract wallet without a payable fallback would be. It can only be paid through claimTo /
/// withdrawTo.
contract RejectingPayee {
    ILedgerPayee public immutable ledger;

    constructor(ILedgerPayee ledger_) {
        ledger = ledger_;
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

    function claimTo(uint256 e, address to) external returns (uint256) {
        return ledger.claimTo(e, to);
    }

    function withdraw() external {
        ledger.withdraw();
    }

    function withdrawTo(address to) external {
        ledger.withdrawTo(to);
    }

    receive() external payable {
        revert("RejectingPayee: no ETH");
    }
}
