rule(require "floor"(5))
